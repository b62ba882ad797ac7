import type { RuleDefinition, Severity, TxnFilter } from '../../contract/commands/rules.js';
import type { Db } from '../db/open.js';

/** The columns a rule can look at, read in one ordered pass over the transactions. */
export interface EvalTxn {
  id: number;
  startedAt: number;
  type: string;
  amountCents: number;
  register: string | null;
  employee: string | null;
  card: string | null;
  flags: string;
  wallTime: string;
}

export interface Hit {
  ruleId: string;
  ruleName: string;
  severity: Severity;
  detail: string;
  related: number[];
}

export type Hits = Map<number, Map<string, Hit>>;

const MAX_RELATED = 25;
/** Employees with fewer transactions in the period are neither judged nor used as peers. */
export const BASELINE_MIN_TRANSACTIONS = 20;
/** Floor for the peers' standard deviation, so identical peers do not make every difference infinite. */
export const BASELINE_MIN_SD = 0.01;

const money = (c: number) => `$${(Math.abs(c) / 100).toFixed(2)}`;
const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

export function compileFilter(f: TxnFilter): (t: EvalTxn) => boolean {
  const types = f.types ? new Set<string>(f.types) : null;
  const regs = f.registers ? new Set(f.registers) : null;
  const emps = f.employees ? new Set(f.employees) : null;
  const from = f.timeOfDay ? hhmm(f.timeOfDay.from) : 0;
  const to = f.timeOfDay ? hhmm(f.timeOfDay.to) : 0;
  return (t) => {
    if (types && !types.has(t.type)) return false;
    const a = f.absAmount ? Math.abs(t.amountCents) : t.amountCents;
    if (f.minAmountCents !== undefined && a < f.minAmountCents) return false;
    if (f.maxAmountCents !== undefined && a > f.maxAmountCents) return false;
    if (f.flagsAny || f.flagsNone) {
      const fl = t.flags ? t.flags.split(',') : [];
      if (f.flagsAny && !f.flagsAny.some((x) => fl.includes(x))) return false;
      if (f.flagsNone && f.flagsNone.some((x) => fl.includes(x))) return false;
    }
    if (regs && !regs.has(t.register ?? '')) return false;
    if (emps && !emps.has(t.employee ?? '')) return false;
    if (f.timeOfDay) {
      const m = hhmm(t.wallTime.slice(11, 16));
      const inside = from <= to ? m >= from && m < to : m >= from || m < to;
      if (!inside) return false;
    }
    return true;
  };
}

function groupKey(per: 'register' | 'employee' | 'store' | 'card', t: EvalTxn): string | null {
  if (per === 'store') return '';
  if (per === 'register') return t.register ?? '';
  if (per === 'employee') return t.employee;
  return t.card;
}

/** Per-rule state for one ordered pass. */
interface Evaluator {
  feed(t: EvalTxn, hit: (t: EvalTxn, h: Hit) => void): void;
  lookbackMs: number;
}

function describe(t: EvalTxn) {
  return `${t.type.replace('_', ' ')} ${money(t.amountCents)} at ${t.wallTime.replace('T', ' ')}`;
}

function evaluator(rule: RuleDefinition, outliers?: Map<string, string>): Evaluator {
  const base = { ruleId: rule.id, ruleName: rule.name, severity: rule.severity };
  if (rule.kind === 'match') {
    const m = compileFilter(rule.match);
    return { lookbackMs: 0, feed: (t, hit) => m(t) && hit(t, { ...base, detail: describe(t), related: [] }) };
  }
  if (rule.kind === 'window') {
    const m = compileFilter(rule.match);
    const span = rule.withinMinutes * 60_000;
    const groups = new Map<string, EvalTxn[]>();
    return {
      lookbackMs: span,
      feed(t, hit) {
        if (!m(t)) return;
        const key = groupKey(rule.per, t);
        if (key === null) return;
        let q = groups.get(key);
        if (!q) groups.set(key, (q = []));
        q.push(t);
        while (q.length && q[0]!.startedAt < t.startedAt - span) q.shift();
        if (q.length >= rule.count) {
          const ids = q.map((x) => x.id);
          const where = rule.per === 'store' ? '' : ` on ${rule.per} ${key}`;
          for (const x of q) {
            hit(x, { ...base, detail: `${q.length} within ${rule.withinMinutes} min${where}`, related: ids.filter((i) => i !== x.id).slice(-MAX_RELATED) });
          }
        }
      },
    };
  }
  if (rule.kind === 'sequence') {
    const first = compileFilter(rule.first);
    const then = compileFilter(rule.then);
    const span = rule.withinMinutes * 60_000;
    const groups = new Map<string, EvalTxn[]>();
    return {
      lookbackMs: span,
      feed(t, hit) {
        const key = groupKey(rule.per, t);
        if (key === null) return;
        let q = groups.get(key);
        if (then(t) && q) {
          while (q.length && q[0]!.startedAt < t.startedAt - span) q.shift();
          const prior = q.filter((p) => p.id !== t.id && (!rule.sameAmount || Math.abs(p.amountCents) === Math.abs(t.amountCents)));
          if (prior.length) {
            const p = prior[prior.length - 1]!;
            const mins = Math.round((t.startedAt - p.startedAt) / 60_000);
            hit(t, { ...base, detail: `${describe(t)}, ${mins} min after ${describe(p)}`, related: prior.map((x) => x.id).slice(-MAX_RELATED) });
          }
        }
        if (first(t)) {
          if (!q) groups.set(key, (q = []));
          q.push(t);
          if (q.length > 1000) q.shift();
        }
      },
    };
  }
  const m = compileFilter(rule.match);
  return {
    lookbackMs: 0,
    feed(t, hit) {
      if (!t.employee || !outliers?.has(t.employee) || !m(t)) return;
      hit(t, { ...base, detail: outliers.get(t.employee)!, related: [] });
    },
  };
}

const SELECT = `SELECT t.id, t.started_at AS startedAt, t.type, t.amount_cents AS amountCents, r.code AS register, e.pos_id AS employee,
  t.card, t.flags, t.wall_time AS wallTime
  FROM pos_transaction t LEFT JOIN register r ON r.id = t.register_id LEFT JOIN employee e ON e.id = t.employee_id`;

/**
 * For each baseline rule: which employees' rate of the matching type over the period ending at
 * `until` is at least minZ standard deviations above their peers' (leave-one-out).
 */
function baselineOutliers(db: Db, rules: Extract<RuleDefinition, { kind: 'baseline' }>[], until: number): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (!rules.length) return out;
  const maxPeriod = Math.max(...rules.map((r) => r.periodDays)) * 86_400_000;
  const filters = rules.map((r) => compileFilter(r.match));
  const totals = rules.map(() => new Map<string, number>());
  const hits = rules.map(() => new Map<string, number>());
  const stmt = db.prepare(`${SELECT} WHERE t.started_at BETWEEN ? AND ? AND t.employee_id IS NOT NULL`);
  for (const t of stmt.iterate(until - maxPeriod, until) as Iterable<EvalTxn>) {
    for (let i = 0; i < rules.length; i++) {
      if (t.startedAt < until - rules[i]!.periodDays * 86_400_000) continue;
      totals[i]!.set(t.employee!, (totals[i]!.get(t.employee!) ?? 0) + 1);
      if (filters[i]!(t)) hits[i]!.set(t.employee!, (hits[i]!.get(t.employee!) ?? 0) + 1);
    }
  }
  rules.forEach((r, i) => {
    const rates = new Map<string, number>();
    for (const [emp, n] of totals[i]!) if (n >= BASELINE_MIN_TRANSACTIONS) rates.set(emp, (hits[i]!.get(emp) ?? 0) / n);
    const flagged = new Map<string, string>();
    for (const [emp, rate] of rates) {
      const count = hits[i]!.get(emp) ?? 0;
      if (count < r.minEvents) continue;
      const peers = [...rates].filter(([e]) => e !== emp).map(([, v]) => v);
      if (peers.length < r.minPeers) continue;
      const mean = peers.reduce((s, v) => s + v, 0) / peers.length;
      const sd = Math.sqrt(peers.reduce((s, v) => s + (v - mean) ** 2, 0) / peers.length);
      const z = (rate - mean) / Math.max(sd, BASELINE_MIN_SD);
      if (z >= r.minZ) {
        flagged.set(emp, `${emp}: ${count} of ${totals[i]!.get(emp)} transactions (${(rate * 100).toFixed(1)}%) vs peers ${(mean * 100).toFixed(1)}% over ${r.periodDays} days, z = ${z.toFixed(1)}`);
      }
    }
    out.set(r.id, flagged);
  });
  return out;
}

/**
 * Runs rules over the transactions started in [since, until] in one pass ordered by time. Windows
 * and sequences also see the transactions just before `since`, so a burst across the boundary
 * counts, but only transactions inside the range are flagged.
 */
export function evaluate(db: Db, rules: RuleDefinition[], since: number, until: number): { hits: Hits; evaluated: number } {
  const outliers = baselineOutliers(db, rules.filter((r): r is Extract<RuleDefinition, { kind: 'baseline' }> => r.kind === 'baseline'), until);
  const evs = rules.map((r) => evaluator(r, outliers.get(r.id)));
  const lookback = Math.max(0, ...evs.map((e) => e.lookbackMs));
  const hits: Hits = new Map();
  let evaluated = 0;
  const hit = (t: EvalTxn, h: Hit) => {
    // Only flag inside the range; the look-back rows are context.
    if (t.startedAt < since) return;
    let m = hits.get(t.id);
    if (!m) hits.set(t.id, (m = new Map()));
    const prev = m.get(h.ruleId);
    if (prev) prev.related = [...new Set([...prev.related, ...h.related])].slice(-MAX_RELATED);
    else m.set(h.ruleId, h);
  };
  const stmt = db.prepare(`${SELECT} WHERE t.started_at BETWEEN ? AND ? ORDER BY t.started_at, t.id`);
  for (const t of stmt.iterate(since - lookback, until) as Iterable<EvalTxn>) {
    if (t.startedAt >= since) evaluated++;
    for (const e of evs) e.feed(t, hit);
  }
  return { hits, evaluated };
}

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };
export const maxSeverity = (list: Severity[]): Severity => list.reduce((a, b) => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a), 'low' as Severity);
