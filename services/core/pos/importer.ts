import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { PennyError } from '../../contract/errors.js';
import type { ColumnMapping, ImportReport, PosFormat, RejectedRow } from '../../contract/commands/pos.js';
import type { AppDeps } from '../app.js';
import { actorLabel, type Actor } from '../context.js';
import { readStore } from '../store/app.js';
import { ImportWriter } from './persist.js';
import { checkFormat, openSource } from './source.js';
import { WallClockResolver } from './time.js';

export const MAX_REJECTED_KEPT = 1000;

export interface ImportRequest {
  path: string;
  format?: PosFormat;
  mapping?: { name: string | null; mapping: ColumnMapping };
  register: string;
  jobId?: string;
  actor: Actor;
}

export interface RuleRunner {
  /** Runs the enabled rules over [since, until] and returns how many new exceptions were created. */
  (since: number, until: number, actor: Actor): { created: number };
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Imports one file: hash → duplicate check → stream parse → write everything in one transaction on
 * the import connection → commit → run rules over the new time range. Imports run one at a time.
 */
export class Importer {
  private writer: ImportWriter | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly d: AppDeps,
    private readonly runRules: RuleRunner,
  ) {}

  run(req: ImportRequest): Promise<ImportReport> {
    if (this.closed) return Promise.reject(new PennyError('unavailable', 'The station is shutting down.'));
    const next = this.queue.then(() => this.importOne(req));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Waits for the running import and closes the import connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    this.writer?.close();
    this.writer = null;
  }

  private async importOne(req: ImportRequest): Promise<ImportReport> {
    const { d } = this;
    const jobId = req.jobId ?? randomUUID();
    const file = basename(req.path);
    const startedAt = d.clock.now();
    try {
      return await this.importInner(req, jobId, file, startedAt);
    } catch (err) {
      d.events.emit('import.finished', { jobId, file, importId: null, status: 'failed', transactions: 0, exceptions: 0, message: err instanceof PennyError ? err.message : 'internal error' });
      d.logger.warn('pos import failed', { jobId, code: err instanceof PennyError ? err.code : 'internal' });
      throw err;
    }
  }

  private async importInner(req: ImportRequest, jobId: string, file: string, startedAt: number): Promise<ImportReport> {
    const { d } = this;
    let totalBytes: number;
    try {
      totalBytes = statSync(req.path).size;
    } catch {
      throw new PennyError('not_found', `${req.path}: no such file.`, { field: 'path' });
    }
    checkFormat(req.path, req.format);
    const sha256 = await sha256File(req.path);
    const prior = d.db.prepare('SELECT id, format FROM pos_import WHERE sha256 = ?').get(sha256) as { id: number; format: PosFormat } | undefined;
    if (prior) {
      const report: ImportReport = {
        importId: null,
        jobId,
        file,
        sha256,
        format: prior.format,
        status: 'duplicate',
        rows: 0,
        transactions: 0,
        duplicates: 0,
        byType: {},
        totalCents: 0,
        rejectedCount: 0,
        rejected: [],
        exceptions: 0,
        startedAt,
        finishedAt: d.clock.now(),
        duplicateOf: prior.id,
      };
      d.events.emit('import.finished', { jobId, file, importId: null, status: 'duplicate', transactions: 0, exceptions: 0, message: `duplicate file: already imported as import ${prior.id}` });
      return report;
    }

    const t0 = performance.now();
    const store = readStore(d.db);
    const resolver = new WallClockResolver(store.timezone);
    let bytes = 0;
    let rows = 0;
    let lastEmit = 0;
    const progress = (force = false) => {
      const now = Date.now();
      if (!force && now - lastEmit < 250) return;
      lastEmit = now;
      d.events.emit('import.progress', { jobId, file, rows, bytes: force ? totalBytes : bytes, totalBytes });
    };
    const source = await openSource({ path: req.path, format: req.format, mapping: req.mapping, defaultRegister: req.register, resolver, onBytes: (b) => (bytes = b) });

    const writer = (this.writer ??= new ImportWriter(d.db.name, d.clock.now));
    const rejected: RejectedRow[] = [];
    let rejectedCount = 0;
    let inserted = 0;
    let duplicates = 0;
    let totalCents = 0;
    const byType: Record<string, number> = {};
    let minT = Infinity;
    let maxT = -Infinity;
    writer.begin();
    try {
      const importId = Number(
        writer.db
          .prepare(
            "INSERT INTO pos_import (sha256, file_name, format, mapping, status, rows, transactions, duplicates, rejected_count, total_cents, by_type, rejected, started_at, finished_at) VALUES (?, ?, ?, ?, 'imported', 0, 0, 0, 0, 0, '{}', '[]', ?, ?)",
          )
          .run(sha256, file, source.format, source.mappingName, startedAt, startedAt).lastInsertRowid,
      );
      for await (const batch of source.items) {
        for (const item of batch) {
          rows++;
          if (!item.ok) {
            rejectedCount++;
            if (rejected.length < MAX_REJECTED_KEPT) rejected.push({ file, ...item.rejection });
            continue;
          }
          const t = item.txn;
          byType[t.type] = (byType[t.type] ?? 0) + 1;
          totalCents += t.amountCents;
          if (writer.write(importId, t) === null) duplicates++;
          else {
            inserted++;
            if (t.startedAt < minT) minT = t.startedAt;
            if (t.startedAt > maxT) maxT = t.startedAt;
          }
        }
        progress();
      }
      if (rows === rejectedCount) {
        const first = rejected[0];
        throw new PennyError(
          'invalid_input',
          rows === 0
            ? `${req.path}: the file has a header but no transactions.`
            : `${req.path}: none of the ${rows} rows could be read; first problem at ${typeof first!.row === 'number' ? 'line ' + first!.row : first!.row}, ${first!.field}: ${first!.message}.`,
          { rejected: rejected.slice(0, 20) },
        );
      }
      const finishedAt = d.clock.now();
      writer.db
        .prepare('UPDATE pos_import SET rows = ?, transactions = ?, duplicates = ?, rejected_count = ?, total_cents = ?, by_type = ?, rejected = ?, finished_at = ? WHERE id = ?')
        .run(rows, inserted, duplicates, rejectedCount, totalCents, JSON.stringify(byType), JSON.stringify(rejected), finishedAt, importId);
      // The audit row goes in the same transaction as the import it records.
      const auditId = Number(
        writer.db
          .prepare('INSERT INTO audit_event (at, actor, action, entity, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)')
          .run(finishedAt, actorLabel(req.actor), 'pos.import', 'pos_import', String(importId), JSON.stringify({ sha256, format: source.format, rows, transactions: inserted, duplicates, rejected: rejectedCount }))
          .lastInsertRowid,
      );
      writer.commit();
      d.events.emit('audit.recorded', { id: auditId, action: 'pos.import', entity: 'pos_import' });
      if (rows) progress(true);

      const parsedAt = performance.now();
      let exceptions = 0;
      if (inserted > 0) {
        exceptions = this.runRules(minT, maxT, req.actor).created;
        d.db.prepare('UPDATE pos_import SET exceptions = ? WHERE id = ?').run(exceptions, importId);
      }
      d.logger.info('pos import done', {
        jobId,
        importId,
        rows,
        transactions: inserted,
        duplicates,
        rejected: rejectedCount,
        exceptions,
        importMs: Math.round(parsedAt - t0),
        rulesMs: Math.round(performance.now() - parsedAt),
      });
      d.events.emit('import.finished', { jobId, file, importId, status: 'imported', transactions: inserted, exceptions });
      return {
        importId,
        jobId,
        file,
        sha256,
        format: source.format,
        status: 'imported',
        rows,
        transactions: inserted,
        duplicates,
        byType,
        totalCents,
        rejectedCount,
        rejected,
        exceptions,
        startedAt,
        finishedAt,
        duplicateOf: null,
      };
    } catch (err) {
      writer.rollback();
      await source.items.return(undefined);
      throw err;
    }
  }
}
