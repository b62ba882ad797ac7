import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../services/core/index.js';
import { silentLogger, type Clock } from '../../services/core/deps.js';
import { dispatch, type Caller } from '../../services/transport/dispatch.js';

export function tempDir(prefix = 'penny-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A settable clock for tests that need time to move on demand. */
export function fakeClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => (now = ms), advance: (ms) => (now += ms) };
}

export interface TestCore {
  core: Core;
  dir: string;
  /** Dispatch as the CLI does (system caller) and unwrap, throwing on error. */
  sys<T = unknown>(name: string, input?: unknown): Promise<T>;
  call(name: string, input: unknown, caller: Caller): ReturnType<typeof dispatch>;
  close(): Promise<void>;
}

export async function testCore(opts: { clock?: Clock; dir?: string } = {}): Promise<TestCore> {
  const tmp = opts.dir ? undefined : tempDir();
  const dir = opts.dir ?? tmp!.dir;
  const core = await createCore({ dataDir: dir, clock: opts.clock, logger: silentLogger, version: 'test', ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' });
  return {
    core,
    dir,
    async sys<T>(name: string, input: unknown = {}) {
      const r = await dispatch(core, name, input, { system: 'test' });
      if (!r.ok) throw new Error(`${name} failed: ${r.error.code}: ${r.error.message}`);
      return r.value as T;
    },
    call: (name, input, caller) => dispatch(core, name, input, caller),
    async close() {
      await core.close();
      tmp?.cleanup();
    },
  };
}

export const ONBOARD = {
  store: { name: 'Corner Fuel #12', timezone: 'America/Chicago', address: '12 Main St' },
  admin: { username: 'admin', displayName: 'Alex Admin', password: 'correct horse battery' },
};
