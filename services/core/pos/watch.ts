import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { Cron } from 'croner';
import { PennyError } from '../../contract/errors.js';
import type { Logger } from '../deps.js';

export interface FolderImporterDeps {
  logger: Logger;
  /** Imports one file; resolves with anything on success (including a duplicate), rejects on failure. */
  importFile(path: string): Promise<unknown>;
}

const SUFFIXES = /\.(csv|txt|xls|xlsx|xml)$/i;

/**
 * The watched folder and the daily sweep. A new report file in the folder is imported; afterwards
 * it moves to processed/ (imported or duplicate) or failed/ (with NAME.error.txt saying why), so
 * nothing is imported twice and the user can see what happened to every file.
 */
export class FolderImporter {
  private watcher: FSWatcher | null = null;
  private cron: Cron | null = null;
  private inFlight = new Set<string>();
  private pending: Promise<unknown>[] = [];

  constructor(private readonly deps: FolderImporterDeps) {}

  async start(folder: string | undefined, schedule: string | undefined, timezone: string | undefined): Promise<void> {
    await this.stop();
    if (!folder) return;
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      this.deps.logger.warn('pos watch folder missing; not watching', {});
      return;
    }
    this.watcher = watch(folder, {
      depth: 0,
      ignoreInitial: false,
      awaitWriteFinish: { stabilityThreshold: 400, pollInterval: 100 },
      ignored: (p, stats) => basename(p).startsWith('.') || (!!stats?.isFile() && !SUFFIXES.test(p)),
    });
    this.watcher.on('add', (p) => this.handle(folder, p));
    this.watcher.on('error', (err) => this.deps.logger.warn('pos watch folder error', { error: String(err) }));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    if (schedule) {
      const [h, m] = schedule.split(':').map(Number);
      this.cron = new Cron(`${m} ${h} * * *`, { timezone: timezone || undefined }, () => void this.sweep(folder));
    }
  }

  /** Imports every report file in the folder now (the scheduled run). */
  async sweep(folder: string): Promise<void> {
    const files = readdirSync(folder, { withFileTypes: true }).filter((e) => e.isFile() && SUFFIXES.test(e.name) && !e.name.startsWith('.'));
    for (const f of files) await this.handle(folder, join(folder, f.name));
  }

  private handle(folder: string, path: string): Promise<unknown> {
    if (this.inFlight.has(path) || !existsSync(path)) return Promise.resolve();
    this.inFlight.add(path);
    const job = this.deps
      .importFile(path)
      .then(
        () => moveTo(folder, path, 'processed'),
        (err: unknown) => {
          const dest = moveTo(folder, path, 'failed');
          const msg = err instanceof PennyError ? err.message : 'internal error (see the station log)';
          if (dest) writeFileSync(dest + '.error.txt', msg + '\n');
        },
      )
      .catch((err: unknown) => this.deps.logger.warn('pos watch folder could not move a file', { error: String(err) }))
      .finally(() => this.inFlight.delete(path));
    this.pending.push(job);
    return job;
  }

  /** Settles every import the folder started (tests wait on this). */
  async idle(): Promise<void> {
    while (this.pending.length) await Promise.allSettled(this.pending.splice(0));
  }

  async stop(): Promise<void> {
    this.cron?.stop();
    this.cron = null;
    await this.watcher?.close();
    this.watcher = null;
    await this.idle();
  }
}

function moveTo(folder: string, path: string, sub: string): string | null {
  if (!existsSync(path)) return null;
  const dir = join(folder, sub);
  mkdirSync(dir, { recursive: true });
  let dest = join(dir, basename(path));
  if (existsSync(dest)) dest = join(dir, `${Date.now()}-${basename(path)}`);
  renameSync(path, dest);
  return dest;
}
