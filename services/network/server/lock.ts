import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PennyError } from '../../contract/errors.js';

/**
 * A PGlite data dir has one writer. Whoever opens it (the server or a one-off CLI command) holds
 * `network.lock`; a server also writes where its local admin endpoint listens, so CLI commands
 * can go through it instead of opening the database a second time.
 */
export interface LockInfo {
  pid: number;
  adminUrl: string | null;
  adminToken: string | null;
}

const lockPath = (dir: string) => join(dir, 'network.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of the data dir, if any; a lock left by a dead process is ignored. */
export function readLock(dir: string): LockInfo | undefined {
  const p = lockPath(dir);
  if (!existsSync(p)) return undefined;
  try {
    const info = JSON.parse(readFileSync(p, 'utf8')) as LockInfo;
    return info.pid !== process.pid && alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export function acquireLock(dir: string, info: Omit<LockInfo, 'pid'>): () => void {
  mkdirSync(dir, { recursive: true });
  const held = readLock(dir);
  if (held) throw new PennyError('conflict', `the network data dir ${dir} is in use by process ${held.pid}${held.adminUrl ? ` (${held.adminUrl})` : ''}`);
  const p = lockPath(dir);
  rmSync(p, { force: true });
  try {
    writeFileSync(p, JSON.stringify({ pid: process.pid, ...info }), { flag: 'wx', mode: 0o600 });
  } catch {
    throw new PennyError('conflict', `the network data dir ${dir} was just taken by another process`);
  }
  return () => {
    const now = existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as LockInfo) : undefined;
    if (now?.pid === process.pid) rmSync(p, { force: true });
  };
}

export function updateLock(dir: string, info: Omit<LockInfo, 'pid'>) {
  writeFileSync(lockPath(dir), JSON.stringify({ pid: process.pid, ...info }), { mode: 0o600 });
}
