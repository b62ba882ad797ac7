import { PennyError } from '../../contract/errors.js';
import type { Case, CaseStatus, CaseTag, Note } from '../../contract/commands/cases.js';
import type { Db } from '../db/open.js';

/** Reading and writing case rows. Handlers wrap these in transactions and audit them. */

interface CaseRow {
  id: number;
  title: string;
  status: CaseStatus;
  entered_amount_cents: number | null;
  offender: string | null;
  subject_id: number | null;
  assignee_user_id: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  confirmed_by: string | null;
  confirmed_at: number | null;
  confirm_reason: string | null;
}

export interface NoteRow {
  id: number;
  case_id: number | null;
  exception_id: number | null;
  at: number;
  author: string;
  text: string;
}

export const toNote = (n: NoteRow): Note => ({ id: n.id, caseId: n.case_id, exceptionId: n.exception_id, at: n.at, author: n.author, text: n.text });

export const TAG_STATUS: Record<CaseTag, CaseStatus> = {
  approved: 'approved',
  investigate: 'investigating',
  escalate: 'escalated',
  dismiss: 'dismissed',
  reopen: 'open',
};

export function exceptionIdsOf(db: Db, caseId: number): number[] {
  return db.prepare('SELECT exception_id FROM case_exception WHERE case_id = ? ORDER BY exception_id').pluck().all(caseId) as number[];
}

/** The case's amount when none was entered: the absolute amounts of its flagged transactions (refunds are negative). */
function transactionsAmount(db: Db, caseId: number): number {
  return db
    .prepare('SELECT coalesce(sum(abs(x.amount_cents)), 0) FROM case_exception ce JOIN exception x ON x.id = ce.exception_id WHERE ce.case_id = ?')
    .pluck()
    .get(caseId) as number;
}

function toCase(db: Db, r: CaseRow): Case {
  return {
    id: r.id,
    title: r.title,
    status: r.status,
    amountCents: r.entered_amount_cents ?? transactionsAmount(db, r.id),
    amountSource: r.entered_amount_cents === null ? 'transactions' : 'entered',
    offender: r.offender,
    subjectId: r.subject_id,
    assigneeUserId: r.assignee_user_id,
    exceptionIds: exceptionIdsOf(db, r.id),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    confirmedBy: r.confirmed_by,
    confirmedAt: r.confirmed_at,
    confirmReason: r.confirm_reason,
  };
}

export function getCase(db: Db, id: number): Case {
  const r = db.prepare('SELECT * FROM review_case WHERE id = ?').get(id) as CaseRow | undefined;
  if (!r) throw new PennyError('not_found', `There is no case with id ${id}.`, { field: 'id' });
  return toCase(db, r);
}

export function listCases(db: Db, q: { status?: CaseStatus; exceptionId?: number; limit: number; beforeId?: number }): Case[] {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    where.push(sql);
    args.push(v);
  };
  if (q.status) add('c.status = ?', q.status);
  if (q.exceptionId !== undefined) add('c.id IN (SELECT case_id FROM case_exception WHERE exception_id = ?)', q.exceptionId);
  if (q.beforeId !== undefined) add('c.id < ?', q.beforeId);
  const rows = db.prepare(`SELECT c.* FROM review_case c ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY c.id DESC LIMIT ?`).all(...args, q.limit) as CaseRow[];
  return rows.map((r) => toCase(db, r));
}

/** Refuses ids that are not exceptions, naming the first one. */
export function requireExceptions(db: Db, ids: number[], field: string): void {
  const has = db.prepare('SELECT 1 FROM exception WHERE id = ?');
  for (const id of ids) if (!has.get(id)) throw new PennyError('not_found', `There is no exception with id ${id}.`, { field, id });
}

export function requireUser(db: Db, id: number | null | undefined): void {
  if (id == null) return;
  if (!db.prepare('SELECT 1 FROM user WHERE id = ?').get(id)) throw new PennyError('not_found', `There is no user with id ${id} to assign the case to.`, { field: 'assigneeUserId' });
}

export function requireSubject(db: Db, id: number | null | undefined): void {
  if (id == null) return;
  if (!db.prepare('SELECT 1 FROM face_subject WHERE id = ?').get(id)) throw new PennyError('not_found', `There is no face subject with id ${id}.`, { field: 'subjectId' });
}

/** A confirmed case has left (or is leaving) the store through the outbox; it no longer changes. */
export function requireNotConfirmed(c: Case, verb: string): void {
  if (c.status === 'confirmed') throw new PennyError('conflict', `Case ${c.id} is confirmed; it cannot be ${verb}.`, { id: c.id, status: c.status });
}

export function notesOf(db: Db, q: { caseId?: number; exceptionId?: number }): Note[] {
  if (q.caseId !== undefined) return (db.prepare('SELECT * FROM review_note WHERE case_id = ? ORDER BY at, id').all(q.caseId) as NoteRow[]).map(toNote);
  // An exception's own notes and those of every case holding it.
  return (
    db
      .prepare(
        'SELECT * FROM review_note WHERE exception_id = ? OR case_id IN (SELECT case_id FROM case_exception WHERE exception_id = ?) ORDER BY at, id',
      )
      .all(q.exceptionId, q.exceptionId) as NoteRow[]
  ).map(toNote);
}

export function insertNote(db: Db, n: { caseId: number | null; exceptionId: number | null; at: number; author: string; text: string }): Note {
  const id = Number(db.prepare('INSERT INTO review_note (case_id, exception_id, at, author, text) VALUES (?, ?, ?, ?, ?)').run(n.caseId, n.exceptionId, n.at, n.author, n.text).lastInsertRowid);
  return { id, ...n };
}
