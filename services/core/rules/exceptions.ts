import { PennyError } from '../../contract/errors.js';
import type { ExceptionSummary, Severity } from '../../contract/commands/rules.js';
import type { AppDeps } from '../app.js';
import type { Db } from '../db/open.js';
import { maxSeverity, type EvalTxn, type Hits } from './engine.js';

interface ExceptionRow {
  id: number;
  transaction_id: number;
  status: ExceptionSummary['status'];
  severity: Severity;
  started_at: number;
  type: ExceptionSummary['type'];
  register: string | null;
  employee: string | null;
  amount_cents: number;
  created_at: number;
  updated_at: number;
}
interface ReasonRow {
  exception_id: number;
  rule_id: string;
  rule_name: string;
  severity: Severity;
  detail: string;
  related: string;
}

export const EXCEPTION_SELECT = `SELECT x.id, x.transaction_id, x.status, x.severity, x.started_at, x.type, r.code AS register, e.pos_id AS employee,
  x.amount_cents, x.created_at, x.updated_at FROM exception x LEFT JOIN register r ON r.id = x.register_id LEFT JOIN employee e ON e.id = x.employee_id`;

/** Adds reasons to each row with one query for the page. */
export function withReasons(db: Db, rows: ExceptionRow[]): ExceptionSummary[] {
  if (!rows.length) return [];
  const reasons = db
    .prepare(`SELECT * FROM exception_reason WHERE exception_id IN (SELECT value FROM json_each(?)) ORDER BY exception_id, rule_id`)
    .all(JSON.stringify(rows.map((r) => r.id))) as ReasonRow[];
  const by = new Map<number, ExceptionSummary['reasons']>();
  for (const r of reasons) {
    let l = by.get(r.exception_id);
    if (!l) by.set(r.exception_id, (l = []));
    l.push({ ruleId: r.rule_id, ruleName: r.rule_name, severity: r.severity, detail: r.detail, related: JSON.parse(r.related) as number[] });
  }
  return rows.map((x) => ({
    id: x.id,
    transactionId: x.transaction_id,
    status: x.status,
    severity: x.severity,
    reasons: by.get(x.id) ?? [],
    startedAt: x.started_at,
    type: x.type,
    register: x.register,
    employee: x.employee,
    amountCents: x.amount_cents,
    createdAt: x.created_at,
    updatedAt: x.updated_at,
  }));
}

export function getException(db: Db, id: number): ExceptionSummary {
  const row = db.prepare(`${EXCEPTION_SELECT} WHERE x.id = ?`).get(id) as ExceptionRow | undefined;
  if (!row) throw new PennyError('not_found', `There is no exception with id ${id}.`);
  return withReasons(db, [row])[0]!;
}

export interface CreatedException {
  id: number;
  transactionId: number;
  severity: Severity;
  ruleIds: string[];
  startedAt: number;
  registerId: number | null;
}

/**
 * Writes rule hits as exceptions: one per flagged transaction, found again by its transaction, so
 * running rules twice (or after a rule changed) adds reasons but never a second exception.
 * Reviewers' statuses are kept. One writer serves a whole rules run, slice after slice, with its
 * statements prepared once.
 */
export class ExceptionWriter {
  private readonly now: number;
  private readonly existing;
  private readonly insert;
  private readonly existingReason;
  private readonly insertReason;
  private readonly upsertReason;
  private readonly link;
  private readonly severities;
  private readonly setSeverity;
  private readonly statusOf;

  constructor(private readonly d: AppDeps) {
    const { db } = d;
    this.now = d.clock.now();
    this.existing = db.prepare('SELECT transaction_id, id FROM exception WHERE transaction_id IN (SELECT value FROM json_each(?))').raw();
    this.insert = db.prepare(
      'INSERT INTO exception (transaction_id, status, severity, started_at, type, register_id, employee_id, amount_cents, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.existingReason = db.prepare('SELECT detail, related, severity, rule_name FROM exception_reason WHERE exception_id = ? AND rule_id = ?');
    this.insertReason = db.prepare('INSERT INTO exception_reason (exception_id, rule_id, rule_name, severity, detail, related) VALUES (?, ?, ?, ?, ?, ?)');
    this.upsertReason = db.prepare(
      `INSERT INTO exception_reason (exception_id, rule_id, rule_name, severity, detail, related) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(exception_id, rule_id) DO UPDATE SET rule_name = excluded.rule_name, severity = excluded.severity, detail = excluded.detail, related = excluded.related`,
    );
    this.link = db.prepare('INSERT OR IGNORE INTO exception_transaction (exception_id, transaction_id, role) VALUES (?, ?, ?)');
    this.severities = db.prepare('SELECT severity FROM exception_reason WHERE exception_id = ?').pluck();
    this.setSeverity = db.prepare('UPDATE exception SET severity = ?, updated_at = ? WHERE id = ?');
    this.statusOf = db.prepare('SELECT status FROM exception WHERE id = ?').pluck();
  }

  /** Stores one slice of hits; `txns` holds the flagged transactions as the rules read them. */
  save(hits: Hits, txns: Map<number, EvalTxn>): { created: number; updated: number } {
    const { d, now } = this;
    // One query for the whole slice: which of these transactions already have an exception.
    const existingByTxn = new Map(this.existing.all(JSON.stringify([...hits.keys()])) as [number, number][]);
    let updated = 0;
    const createdIds: CreatedException[] = [];
    const updatedIds: { id: number; severity: Severity }[] = [];
    d.db.transaction(() => {
      for (const [txnId, byRule] of hits) {
        const reasons = [...byRule.values()];
        const existing = existingByTxn.get(txnId);
        if (existing === undefined) {
          const t = txns.get(txnId)!;
          const sev = maxSeverity(reasons.map((r) => r.severity));
          const id = Number(this.insert.run(txnId, 'open', sev, t.startedAt, t.type, t.registerId, t.employeeId, t.amountCents, now, now).lastInsertRowid);
          this.link.run(id, txnId, 'primary');
          for (const r of reasons) {
            this.insertReason.run(id, r.ruleId, r.ruleName, r.severity, r.detail, JSON.stringify(r.related));
            for (const rel of r.related) this.link.run(id, rel, 'related');
          }
          createdIds.push({ id, transactionId: txnId, severity: sev, ruleIds: reasons.map((r) => r.ruleId), startedAt: t.startedAt, registerId: t.registerId });
          continue;
        }
        let changed = false;
        for (const r of reasons) {
          const related = JSON.stringify(r.related);
          const old = this.existingReason.get(existing, r.ruleId) as { detail: string; related: string; severity: string; rule_name: string } | undefined;
          if (!old || old.detail !== r.detail || old.related !== related || old.severity !== r.severity || old.rule_name !== r.ruleName) {
            this.upsertReason.run(existing, r.ruleId, r.ruleName, r.severity, r.detail, related);
            changed = true;
          }
          for (const rel of r.related) this.link.run(existing, rel, 'related');
        }
        if (changed) {
          const all = maxSeverity(this.severities.all(existing) as Severity[]);
          this.setSeverity.run(all, now, existing);
          updated++;
          updatedIds.push({ id: existing, severity: all });
        }
      }
      // Listeners (alerts, clips) write rows for each new exception in the same transaction, so
      // thousands of them cost one commit and an exception never commits without its alert.
      for (const c of createdIds) d.events.emit('exception.flagged', c);
    })();
    for (const u of updatedIds) d.events.emit('exception.updated', { id: u.id, status: (this.statusOf.get(u.id) as string) ?? 'open', severity: u.severity });
    return { created: createdIds.length, updated };
  }
}

/** The filters exceptions.list and review.list share: SQL conditions on `exception x` and their arguments. */
export interface ExceptionFilter {
  since?: number;
  until?: number;
  status?: string;
  severity?: string;
  type?: string;
  register?: string;
  employee?: string;
  rule?: string;
}
export function exceptionFilters(q: ExceptionFilter) {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, ...vals: unknown[]) => {
    where.push(sql);
    args.push(...vals);
  };
  if (q.since !== undefined) add('x.started_at >= ?', q.since);
  if (q.until !== undefined) add('x.started_at <= ?', q.until);
  if (q.status) add('x.status = ?', q.status);
  if (q.severity) add('x.severity = ?', q.severity);
  if (q.type) add('x.type = ?', q.type);
  if (q.register) add('x.register_id = (SELECT id FROM register WHERE code = ?)', q.register);
  if (q.employee) add('x.employee_id = (SELECT id FROM employee WHERE pos_id = ?)', q.employee);
  if (q.rule) add('EXISTS (SELECT 1 FROM exception_reason er WHERE er.exception_id = x.id AND er.rule_id = ?)', q.rule);
  return { where, args, add };
}
