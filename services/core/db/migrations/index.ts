import type { Migration } from '../migrate.js';
import { m0010 } from './0010-initial.js';
import { m0020 } from './0020-pos.js';
import { m0021 } from './0021-default-rules.js';
import { m0030 } from './0030-video.js';
import { m0040 } from './0040-cameras.js';
import { m0050 } from './0050-faces.js';
import { m0060 } from './0060-alerts.js';
import { m0080 } from './0080-sync.js';
import { m0070 } from './0070-cases.js';
import { m0090 } from './0090-child-tables-without-rowid.js';

/**
 * Every schema migration, in order. Domains take their own number range so parallel work does not
 * collide: 0010–0019 foundation, 0020–0029 POS and rules, 0030–0039 video, 0040–0049 cameras,
 * 0050–0059 faces, 0060–0069 alerts, 0070–0079 cases and review, 0080–0089 sync.
 * From 0090 on, later changes of any domain, in the order they were made.
 */
export const MIGRATIONS: readonly Migration[] = [m0010, m0020, m0021, m0030, m0040, m0050, m0060, m0070, m0080, m0090];
