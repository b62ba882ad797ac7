import type { Result } from '../contract/errors.js';

/** Messages between Electron main and the core in its utility process. Shared by both sides. */
export type ToCore =
  | { type: 'init'; dataDir: string; secretKey: string; mediaKey: string; ffmpegPath?: string; ffprobePath?: string; version: string }
  | { type: 'invoke'; id: number; name: string; input: unknown; session?: string };

export type FromCore =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: string; payload: unknown };
