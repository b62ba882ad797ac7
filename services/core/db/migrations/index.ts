import type { Migration } from '../migrate.js';
import { m0010 } from './0010-initial.js';

/**
 * Every schema migration, in order. Domains take their own number range so parallel work does not
 * collide: 0010–0019 foundation, 0020–0029 POS and rules, 0030–0039 video, 0040–0049 cameras,
 * 0050–0059 faces, 0060–0069 alerts, 0070–0079 cases and review, 0080–0089 sync.
 */
export const MIGRATIONS: readonly Migration[] = [m0010];
