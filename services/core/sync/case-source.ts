import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { Db } from '../db/open.js';

/**
 * The sync domain's only view of the cases domain: it reads the case tables through SQL, found by
 * looking at the schema at run time, so the outbox does not import the cases code and keeps
 * working while that schema grows. A confirmed case is a row whose status is 'confirmed' (or that
 * has a confirmed_at); its exceptions, transactions, clips and notes are followed by their keys.
 */

export interface CaseEvidence {
  name: string;
  kind: 'video' | 'image' | 'document';
  mime: string;
  path: string;
  size: number;
  sha256: string;
}

export interface CaseSnapshot {
  caseId: number;
  occurredAt: number;
  amountCents: number;
  summary: string;
  /** The case as sent in case.json: the case row, its exceptions, transactions and notes. */
  document: Record<string, unknown>;
  evidence: CaseEvidence[];
  /** Face descriptors of the case's local subject, only when the store has biometrics on. */
  faceTemplates: number[][];
}

interface Schema {
  caseTable: string;
  caseCols: Set<string>;
  exceptionLink?: { table: string };
  clipLink?: { table: string };
  noteTable?: { table: string; cols: Set<string> };
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

function tables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
}
function columns(db: Db, table: string): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${q(table)})`).all() as { name: string }[]).map((c) => c.name));
}

/** Finds the case tables, or undefined while the cases domain is not installed. */
export function caseSchema(db: Db): Schema | undefined {
  const all = tables(db);
  const caseTable = ['review_case', 'case', 'cases'].find((t) => all.includes(t));
  if (!caseTable) return undefined;
  const caseCols = columns(db, caseTable);
  if (!caseCols.has('id') || (!caseCols.has('status') && !caseCols.has('confirmed_at'))) return undefined;
  const out: Schema = { caseTable, caseCols };
  for (const t of all) {
    if (t === caseTable || /fts/.test(t)) continue;
    const cols = columns(db, t);
    if (!cols.has('case_id')) continue;
    if (/note/.test(t)) {
      if (!out.noteTable) out.noteTable = { table: t, cols };
    } else if (t.startsWith('case') && cols.has('exception_id')) {
      if (!out.exceptionLink) out.exceptionLink = { table: t };
    } else if (t.startsWith('case') && cols.has('clip_id')) {
      if (!out.clipLink) out.clipLink = { table: t };
    }
  }
  return out;
}

function confirmedWhere(s: Schema): string {
  return s.caseCols.has('status') ? "status = 'confirmed'" : 'confirmed_at IS NOT NULL';
}

export function confirmedCaseIds(db: Db, s: Schema): number[] {
  return (db.prepare(`SELECT id FROM ${q(s.caseTable)} WHERE ${confirmedWhere(s)} ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
}

/** Confirmed cases with no outbox entry at all: what a crash between confirm and enqueue left behind. */
export function confirmedWithoutOutbox(db: Db, s: Schema): number[] {
  return (
    db
      .prepare(`SELECT c.id FROM ${q(s.caseTable)} c WHERE ${confirmedWhere(s)} AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.case_id = c.id) ORDER BY c.id`)
      .all() as { id: number }[]
  ).map((r) => r.id);
}

const VOLATILE = new Set(['updated_at', 'synced_at', 'sync_status', 'network_case_id', 'assignee_user_id', 'assignee_id']);
const mimeOf = (p: string): { kind: CaseEvidence['kind']; mime: string } =>
  /\.mp4$/i.test(p) ? { kind: 'video', mime: 'video/mp4' } : /\.jpe?g$/i.test(p) ? { kind: 'image', mime: 'image/jpeg' } : /\.png$/i.test(p) ? { kind: 'image', mime: 'image/png' } : { kind: 'document', mime: 'application/octet-stream' };

export function snapshotCase(db: Db, dataDir: string, s: Schema, caseId: number, biometricsOn: boolean): CaseSnapshot | undefined {
  const row = db.prepare(`SELECT * FROM ${q(s.caseTable)} WHERE id = ? AND ${confirmedWhere(s)}`).get(caseId) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const caseDoc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!VOLATILE.has(k) && !Buffer.isBuffer(v)) caseDoc[k] = v;

  const exceptionIds = s.exceptionLink
    ? (db.prepare(`SELECT exception_id FROM ${q(s.exceptionLink.table)} WHERE case_id = ? ORDER BY exception_id`).all(caseId) as { exception_id: number }[]).map((r) => r.exception_id)
    : typeof row.exception_id === 'number'
      ? [row.exception_id]
      : [];
  const inList = (ids: number[]) => ids.map(() => '?').join(',') || 'NULL';
  const exceptions = exceptionIds.length
    ? (db.prepare(`SELECT id, type, severity, status, started_at, amount_cents, register_id, employee_id FROM exception WHERE id IN (${inList(exceptionIds)}) ORDER BY id`).all(...exceptionIds) as Record<string, unknown>[])
    : [];
  const txnIds = exceptionIds.length
    ? (db.prepare(`SELECT DISTINCT transaction_id FROM exception_transaction WHERE exception_id IN (${inList(exceptionIds)}) ORDER BY transaction_id`).all(...exceptionIds) as { transaction_id: number }[]).map((r) => r.transaction_id)
    : [];
  // No card data leaves the store: the transaction is described by its time, type and amounts.
  const transactions = txnIds.map((id) => ({
    ...(db.prepare('SELECT id, external_id, register_id, employee_id, type, raw_type, started_at, ended_at, wall_time, amount_cents, tax_cents, discount_cents FROM pos_transaction WHERE id = ?').get(id) as Record<string, unknown>),
    lines: db.prepare('SELECT seq, kind, description, quantity, amount_cents, status FROM pos_line WHERE transaction_id = ? ORDER BY seq').all(id),
  }));
  const notes = s.noteTable
    ? (db.prepare(`SELECT * FROM ${q(s.noteTable.table)} WHERE case_id = ? ORDER BY ${s.noteTable.cols.has('at') ? 'at, ' : s.noteTable.cols.has('created_at') ? 'created_at, ' : ''}rowid`).all(caseId) as Record<string, unknown>[])
    : [];

  const clipRows = (
    s.clipLink
      ? db.prepare(`SELECT c.id, c.path, c.sha256, c.bytes FROM clip c JOIN ${q(s.clipLink.table)} l ON l.clip_id = c.id WHERE l.case_id = ? ORDER BY c.id`).all(caseId)
      : exceptionIds.length
        ? db.prepare(`SELECT id, path, sha256, bytes FROM clip WHERE exception_id IN (${inList(exceptionIds)}) ORDER BY id`).all(...exceptionIds)
        : []
  ) as { id: number; path: string; sha256: string; bytes: number }[];
  const evidence: CaseEvidence[] = [];
  const names = new Set<string>();
  for (const c of clipRows) {
    const path = isAbsolute(c.path) ? c.path : join(dataDir, c.path);
    let name = basename(c.path).replace(/[/\\]/g, '_');
    if (names.has(name)) name = `${c.id}-${name}`;
    names.add(name);
    const size = existsSync(path) ? statSync(path).size : c.bytes;
    evidence.push({ name, ...mimeOf(path), path, size, sha256: c.sha256 });
  }

  let faceTemplates: number[][] = [];
  if (biometricsOn) {
    const rows = db
      .prepare('SELECT t.descriptor FROM face_template t JOIN face_subject s ON s.id = t.subject_id WHERE (s.case_id = ? OR s.id = ?) AND t.descriptor IS NOT NULL ORDER BY t.id LIMIT 20')
      .all(caseId, typeof row.subject_id === 'number' ? row.subject_id : -1) as { descriptor: Buffer }[];
    faceTemplates = rows
      .map((r) => Array.from(new Float32Array(r.descriptor.buffer.slice(r.descriptor.byteOffset, r.descriptor.byteOffset + r.descriptor.byteLength))))
      .filter((v) => v.length === 128);
  }

  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const occurredAt = num(row.occurred_at) ?? num(exceptions[0]?.started_at) ?? num(row.confirmed_at) ?? num(row.created_at) ?? 0;
  const amountCents = Math.max(0, Math.round(num(row.entered_amount_cents) ?? num(row.amount_cents) ?? exceptions.reduce((a, e) => a + Math.abs(Number(e.amount_cents) || 0), 0)));
  const parts = [row.title, row.summary, row.confirm_reason].filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  const summary = (parts.join(' — ') || `Case ${caseId}: ${exceptions.map((e) => e.type).join(', ') || 'confirmed at the store'}`).slice(0, 2000);
  return { caseId, occurredAt, amountCents, summary, document: { case: caseDoc, exceptions, transactions, notes }, evidence, faceTemplates };
}
