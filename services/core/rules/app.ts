import { PennyError } from '../../contract/errors.js';
import { RuleDefinition, type Rule } from '../../contract/commands/rules.js';
import type { AppDeps, DomainApp } from '../app.js';
import type { Actor } from '../context.js';
import { TXN_SELECT, parseCursor, toTransaction, transactionDetail, type TxnRow } from '../pos/read.js';
import { evaluate } from './engine.js';
import { EXCEPTION_SELECT, ExceptionWriter, exceptionFilters, getException, withReasons } from './exceptions.js';

const DAY = 86_400_000;

export interface RulesApp extends DomainApp {
  /** Runs the enabled rules over [since, until] and stores the exceptions. */
  runRules(since: number, until: number, actor: Actor): { evaluated: number; flagged: number; created: number; updated: number };
}

export function loadRules(d: AppDeps): Rule[] {
  const rows = d.db.prepare('SELECT id, definition, built_in, updated_at FROM rule ORDER BY id').all() as { id: string; definition: string; built_in: number; updated_at: number }[];
  const out: Rule[] = [];
  for (const r of rows) {
    const parsed = RuleDefinition.safeParse(JSON.parse(r.definition));
    // A stored rule that no longer validates (written by a newer Penny) is skipped, not fatal.
    if (parsed.success) out.push({ definition: parsed.data, builtIn: r.built_in === 1, updatedAt: r.updated_at });
    else d.logger.warn('stored rule does not validate; skipped', { ruleId: r.id });
  }
  return out;
}

export function createRulesApp(d: AppDeps): RulesApp {
  const { db, clock } = d;

  const runRules: RulesApp['runRules'] = (since, until, actor) => {
    const rules = loadRules(d).filter((r) => r.definition.enabled).map((r) => r.definition);
    let created = 0;
    let updated = 0;
    const writer = new ExceptionWriter(d);
    // Each slice commits with its alerts; one transaction for a months-long run would outgrow the
    // page cache and spill, which measured slower.
    const { evaluated, flagged } = evaluate(db, rules, since, until, (hits, txns) => {
      const saved = writer.save(hits, txns);
      created += saved.created;
      updated += saved.updated;
    });
    db.transaction(() => d.audit(actor, { action: 'rules.run', entity: 'rule', entityId: null, details: { since, until, evaluated, flagged, created, updated } }))();
    return { evaluated, flagged, created, updated };
  };

  return {
    runRules,
    handlers: {
      'rules.list': () => loadRules(d),

      'rules.save': ({ rules }, ctx) =>
        db.transaction(() => {
          const ids = new Set<string>();
          for (const r of rules) {
            if (ids.has(r.id)) throw new PennyError('invalid_input', `rule id "${r.id}" is given twice`, { field: 'rules' });
            ids.add(r.id);
          }
          const upsert = db.prepare(
            'INSERT INTO rule (id, definition, built_in, updated_at) VALUES (?, ?, 0, ?) ON CONFLICT(id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at',
          );
          for (const r of rules) {
            const before = db.prepare('SELECT definition FROM rule WHERE id = ?').pluck().get(r.id) as string | undefined;
            upsert.run(r.id, JSON.stringify(r), clock.now());
            d.audit(ctx.actor, { action: before ? 'rule.update' : 'rule.create', entity: 'rule', entityId: r.id, details: { before: before ? JSON.parse(before) : null, after: r } });
          }
          return loadRules(d).filter((r) => ids.has(r.definition.id));
        })(),

      'rules.remove': ({ id }, ctx) =>
        db.transaction(() => {
          const res = db.prepare('DELETE FROM rule WHERE id = ?').run(id);
          if (res.changes === 0) throw new PennyError('not_found', `There is no rule "${id}".`);
          d.audit(ctx.actor, { action: 'rule.remove', entity: 'rule', entityId: id });
          return { ok: true as const };
        })(),

      'rules.preview': ({ rule, days, examples }) => {
        const until = clock.now();
        const since = until - days * DAY;
        // Only the latest `examples` flagged transactions are kept; the rest are counted.
        const latest = new Map<number, string>();
        const { flagged } = evaluate(db, [rule], since, until, (hits) => {
          for (const [id, m] of hits) latest.set(id, m.get(rule.id)!.detail);
          const drop = [...latest.keys()].sort((a, b) => b - a).slice(examples);
          for (const id of drop) latest.delete(id);
        });
        const ids = [...latest.keys()];
        const get = db.prepare(`${TXN_SELECT} WHERE t.id = ?`);
        const ex = ids
          .map((id) => ({ row: get.get(id) as TxnRow, id }))
          .sort((a, b) => b.row.started_at - a.row.started_at)
          .map(({ row, id }) => ({ ...toTransaction(row), detail: latest.get(id)! }));
        return { count: flagged, since, until, examples: ex };
      },

      'rules.run': ({ since, until }, ctx) => {
        const u = until ?? clock.now();
        const s = since ?? u - 30 * DAY;
        if (s > u) throw new PennyError('invalid_input', 'since is after until', { field: 'since' });
        return { since: s, until: u, ...runRules(s, u, ctx.actor) };
      },

      'exceptions.list': (q) => {
        const { where, args } = exceptionFilters(q);
        const filter = where.length ? where.join(' AND ') : '1';
        const cur = parseCursor(q.cursor);
        const page = cur ? `AND (x.started_at < ? OR (x.started_at = ? AND x.id < ?))` : '';
        const rows = db
          .prepare(`${EXCEPTION_SELECT} WHERE ${filter} ${page} ORDER BY x.started_at DESC, x.id DESC LIMIT ?`)
          .all(...args, ...(cur ? [cur[0], cur[0], cur[1]] : []), q.limit + 1) as Parameters<typeof withReasons>[1];
        const more = rows.length > q.limit;
        const items = withReasons(db, rows.slice(0, q.limit));
        const last = items.at(-1);
        const total = q.withTotal ? (db.prepare(`SELECT count(*) FROM exception x WHERE ${filter}`).pluck().get(...args) as number) : null;
        return { items, nextCursor: more && last ? `${last.startedAt}:${last.id}` : null, total };
      },

      'exceptions.get': ({ id }) => {
        const ex = getException(db, id);
        const links = db.prepare("SELECT transaction_id AS id, role FROM exception_transaction WHERE exception_id = ? ORDER BY role = 'primary' DESC, transaction_id").all(id) as {
          id: number;
          role: 'primary' | 'related';
        }[];
        return { ...ex, transactions: links.map((l) => ({ ...transactionDetail(db, l.id), role: l.role })) };
      },

      'exceptions.setStatus': ({ id, status, note }, ctx) =>
        db.transaction(() => {
          const before = getException(db, id);
          // A confirmed case is evidence that has left the store's hands (sync, notices): its
          // exceptions change only after the case is reopened, whichever screen asks.
          const confirmedCase = db
            .prepare("SELECT c.id FROM case_exception ce JOIN review_case c ON c.id = ce.case_id WHERE ce.exception_id = ? AND c.status = 'confirmed' LIMIT 1")
            .get(id) as { id: number } | undefined;
          if (confirmedCase && status !== before.status) {
            throw new PennyError('conflict', `Exception ${id} belongs to confirmed case ${confirmedCase.id}; reopen the case before changing it.`, { caseId: confirmedCase.id });
          }
          db.prepare('UPDATE exception SET status = ?, updated_at = ? WHERE id = ?').run(status, clock.now(), id);
          d.audit(ctx.actor, { action: 'exception.setStatus', entity: 'exception', entityId: id, details: { from: before.status, to: status, ...(note ? { note } : {}) } });
          const after = getException(db, id);
          d.events.emit('exception.updated', { id, status, severity: after.severity });
          return after;
        })(),
    },
  };
}
