import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppDeps } from '../app.js';
import type { Db } from '../db/open.js';
import { caseSchema, confirmedCaseIds, confirmedWithoutOutbox, snapshotCase, type CaseSnapshot } from './case-source.js';

/**
 * The outbox: a confirmed case becomes one entry per revision. The idempotency key and the exact
 * intake body are fixed when the entry is written, so every retry — after a cut, a crash or a lost
 * response — sends byte-for-byte the same request and the network answers with the case it has.
 */

export interface OutboxRow {
  id: number;
  case_id: number;
  revision: number;
  idempotency_key: string;
  content_hash: string;
  intake: string;
  status: 'queued' | 'sending' | 'sent' | 'accepted' | 'rejected' | 'failed';
  network_case_id: string | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  decision_reason: string | null;
  offender_id: string | null;
  debt_status: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  decided_at: number | null;
}

export interface UploadRow {
  outbox_id: number;
  position: number;
  name: string;
  path: string;
  size: number;
  sha256: string;
  evidence_id: string | null;
  sent_bytes: number;
  complete: number;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function contentHash(s: CaseSnapshot): string {
  return sha256(canonical({ document: s.document, evidence: s.evidence.map((e) => [e.name, e.size, e.sha256]), faces: s.faceTemplates, amount: s.amountCents, summary: s.summary, at: s.occurredAt }));
}

export const biometricsOn = (db: Db) => (db.prepare('SELECT enabled FROM face_privacy WHERE id = 1').get() as { enabled: number } | undefined)?.enabled === 1;

/**
 * Makes sure a confirmed case has an outbox entry for its current content. Returns the entry id
 * written, or null when nothing changed. A case edited after its entry started sending gets a new
 * revision with its own key; an entry never tried yet is simply brought up to date.
 */
export function enqueueCase(d: AppDeps, caseId: number): number | null {
  const s = caseSchema(d.db);
  if (!s) return null;
  const snap = snapshotCase(d.db, d.dataDir, s, caseId, biometricsOn(d.db));
  if (!snap) return null;
  const hash = contentHash(snap);
  const latest = d.db.prepare('SELECT * FROM sync_outbox WHERE case_id = ? ORDER BY revision DESC LIMIT 1').get(caseId) as OutboxRow | undefined;
  if (latest && latest.content_hash === hash) return null;
  const reuse = latest && latest.status === 'queued' && latest.attempts === 0 && !latest.network_case_id;
  const revision = reuse ? latest.revision : (latest?.revision ?? 0) + 1;
  const key = reuse ? latest.idempotency_key : `penny-${randomUUID()}`;

  // case.json carries the case, its transactions and notes; it is written once and never changed.
  const doc = Buffer.from(JSON.stringify({ format: 'penny-case/1', caseId, revision, ...snap.document }, null, 2));
  const dir = join(d.dataDir, 'sync', 'cases', key);
  mkdirSync(dir, { recursive: true });
  const docPath = join(dir, `case-r${revision}.json`);
  writeFileSync(`${docPath}.tmp`, doc);
  renameSync(`${docPath}.tmp`, docPath);
  const files = [{ name: 'case.json', kind: 'document' as const, mime: 'application/json', path: docPath, size: doc.length, sha256: sha256(doc) }, ...snap.evidence.filter((e) => e.name !== 'case.json')];
  const intake = {
    stationCaseRef: revision === 1 ? `case-${caseId}` : `case-${caseId}-r${revision}`,
    occurredAt: snap.occurredAt,
    amountCents: Math.min(snap.amountCents, 10_000_000),
    summary: revision === 1 ? snap.summary : `Revision ${revision} of case ${caseId}. ${snap.summary}`.slice(0, 2000),
    debug: { detectorScores: [], matchFrames: [] },
    evidence: files.slice(0, 50).map((f) => ({ name: f.name, kind: f.kind, mime: f.mime, size: f.size, sha256: f.sha256 })),
    faceTemplates: snap.faceTemplates,
  };
  const now = d.clock.now();
  return d.db.transaction(() => {
    let id: number;
    if (reuse) {
      id = latest.id;
      d.db.prepare('UPDATE sync_outbox SET content_hash = ?, intake = ?, updated_at = ? WHERE id = ?').run(hash, JSON.stringify(intake), now, id);
      d.db.prepare('DELETE FROM sync_upload WHERE outbox_id = ?').run(id);
    } else {
      id = Number(
        d.db
          .prepare("INSERT INTO sync_outbox (case_id, revision, idempotency_key, content_hash, intake, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)")
          .run(caseId, revision, key, hash, JSON.stringify(intake), now, now).lastInsertRowid,
      );
    }
    const ins = d.db.prepare('INSERT INTO sync_upload (outbox_id, position, name, path, size, sha256) VALUES (?, ?, ?, ?, ?, ?)');
    files.slice(0, 50).forEach((f, i) => ins.run(id, i, f.name, f.path, f.size, f.sha256));
    d.audit({ kind: 'system', name: 'sync', role: 'admin' }, { action: 'sync.enqueue', entity: 'case', entityId: caseId, details: { outboxId: id, revision } });
    return id;
  })();
}

/** Every confirmed case without an entry (crash between confirm and enqueue), then edits of sent ones. */
export function enqueueAll(d: AppDeps, checkEdits: boolean): number {
  const s = caseSchema(d.db);
  if (!s) return 0;
  let n = 0;
  for (const id of confirmedWithoutOutbox(d.db, s)) if (enqueueCase(d, id) !== null) n++;
  if (checkEdits) for (const id of confirmedCaseIds(d.db, s)) if (enqueueCase(d, id) !== null) n++;
  return n;
}

export function pendingCount(db: Db): number {
  return (db.prepare("SELECT COUNT(DISTINCT case_id) AS n FROM sync_outbox WHERE status IN ('queued', 'sending')").get() as { n: number }).n;
}

export function statusCounts(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of db.prepare('SELECT status, COUNT(*) AS n FROM sync_outbox GROUP BY status').all() as { status: string; n: number }[]) out[r.status] = r.n;
  return out;
}
