import type { RuleDefinition, Severity, TxnFilter } from '../../contract/commands/rules.js';
import type { Db } from '../db/open.js';

/** The columns a rule can look at, read in one ordered pass over the transactions. */
export interface EvalTxn {
  id: number;
  startedAt: number;
  type: string;
  amountCents: number;
  registerId: number | null;
  register: string | null;
  employeeId: number | null;
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
  /** How long after it started this rule may still add a reason to `t` (a window that holds it). */
  holdsMs(t: EvalTxn): number;
}

const holdsNothing = () => 0;

function describe(t: EvalTxn) {
  return `${t.type.replace('_', ' ')} ${money(t.amountCents)} at ${t.wallTime.replace('T', ' ')}`;
}

function evaluator(rule: RuleDefinition, outliers?: Map<string, string>): Evaluator {
  const base = { ruleId: rule.id, ruleName: rule.name, severity: rule.severity };
  if (rule.kind === 'match') {
    const m = compileFilter(rule.match);
    return { lookbackMs: 0, holdsMs: holdsNothing, feed: (t, hit) => m(t) && hit(t, { ...base, detail: describe(t), related: [] }) };
  }
  if (rule.kind === 'window') {
    const m = compileFilter(rule.match);
    const span = rule.withinMinutes * 60_000;
    const groups = new Map<string, EvalTxn[]>();
    return {
      lookbackMs: span,
      // Only a transaction the window can queue (it has the register, employee or card it groups by).
      holdsMs: (t) => (m(t) && groupKey(rule.per, t) !== null ? span : 0),
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
      // A sequence flags only the transaction that completes it, as it arrives.
      holdsMs: holdsNothing,
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
    holdsMs: holdsNothing,
    feed(t, hit) {
      if (!t.employee || !outliers?.has(t.employee) || !m(t)) return;
      hit(t, { ...base, detail: outliers.get(t.employee)!, related: [] });
    },
  };
}

const COLUMNS = 'id, started_at, type, amount_cents, register_id, employee_id, card, flags, wall_time';
type ScanRow = [number, number, string, number, number | null, number | null, string | null, string, string];
// Small pages: a page's rows are alive while it is consumed, and big ones outlive young-generation GC.
const PAGE = 1000;

/**
 * Reads transactions as arrays (no per-row objects from SQLite, no joins) and names their
 * register and employee from two small maps read once per run.
 */
class TxnReader {
  private readonly registers: Map<number, string>;
  private readonly employees: Map<number, string>;
  constructor(private readonly db: Db) {
    this.registers = new Map(db.prepare('SELECT id, code FROM register').raw().all() as [number, string][]);
    this.employees = new Map(db.prepare('SELECT id, pos_id FROM employee').raw().all() as [number, string][]);
  }

  private toTxn(r: ScanRow): EvalTxn {
    return {
      id: r[0],
      startedAt: r[1],
      type: r[2],
      amountCents: r[3],
      registerId: r[4],
      register: r[4] === null ? null : (this.registers.get(r[4]) ?? null),
      employeeId: r[5],
      employee: r[5] === null ? null : (this.employees.get(r[5]) ?? null),
      card: r[6],
      flags: r[7],
      wallTime: r[8],
    };
  }

  *scan(where: string, ...args: unknown[]): Generator<EvalTxn> {
    const stmt = this.db.prepare(`SELECT ${COLUMNS} FROM pos_transaction WHERE ${where}`).raw();
    for (const r of stmt.iterate(...args) as Iterable<ScanRow>) yield this.toTxn(r);
  }

  /**
   * Transactions in [from, until] by time, read a page at a time: no statement stays open between
   * pages, so whoever consumes the rows may write on the same connection as it goes.
   */
  *inTimeOrder(from: number, until: number): Generator<EvalTxn> {
    const page = this.db
      .prepare(`SELECT ${COLUMNS} FROM pos_transaction WHERE started_at <= ? AND (started_at, id) > (?, ?) ORDER BY started_at, id LIMIT ${PAGE}`)
      .raw();
    let after: [number, number] = [from, -1];
    for (;;) {
      const rows = page.all(until, after[0], after[1]) as ScanRow[];
      for (const r of rows) yield this.toTxn(r);
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      after = [last[1], last[0]];
    }
  }

  employeeName(id: number): string | undefined {
    return this.employees.get(id);
  }
}

type BaselineRule = Extract<RuleDefinition, { kind: 'baseline' }>;

/**
 * For each baseline rule: which employees' rate of the matching type over the period ending at
 * `until` is at least minZ standard deviations above their peers' (leave-one-out). Totals are one
 * GROUP BY in SQLite; only the rule's own types are read into JS (through the type index).
 */
function baselineOutliers(db: Db, reader: TxnReader, rules: BaselineRule[], until: number): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const totalsQuery = db.prepare('SELECT employee_id, count(*) FROM pos_transaction WHERE started_at BETWEEN ? AND ? AND employee_id IS NOT NULL GROUP BY employee_id').raw();
  // Rules over the same period share one count of everyone's transactions.
  const totalsByPeriod = new Map<number, Map<string, number>>();
  for (const r of rules) {
    const from = until - r.periodDays * 86_400_000;
    let totals = totalsByPeriod.get(r.periodDays);
    if (!totals) {
      totalsByPeriod.set(r.periodDays, (totals = new Map()));
      for (const [id, n] of totalsQuery.all(from, until) as [number, number][]) {
        const name = reader.employeeName(id);
        if (name !== undefined) totals.set(name, n);
      }
    }
    const filter = compileFilter(r.match);
    const counts = new Map<string, number>();
    const rows = r.match.types
      ? r.match.types.flatMap((type) => [...reader.scan('type = ? AND started_at BETWEEN ? AND ? AND employee_id IS NOT NULL', type, from, until)])
      : reader.scan('started_at BETWEEN ? AND ? AND employee_id IS NOT NULL', from, until);
    for (const t of rows) if (t.employee !== null && filter(t)) counts.set(t.employee, (counts.get(t.employee) ?? 0) + 1);

    const rates = new Map<string, number>();
    for (const [emp, n] of totals) if (n >= BASELINE_MIN_TRANSACTIONS) rates.set(emp, (counts.get(emp) ?? 0) / n);
    const flagged = new Map<string, string>();
    for (const [emp, rate] of rates) {
      const count = counts.get(emp) ?? 0;
      if (count < r.minEvents) continue;
      const peers = [...rates].filter(([e]) => e !== emp).map(([, v]) => v);
      if (peers.length < r.minPeers) continue;
      const mean = peers.reduce((s, v) => s + v, 0) / peers.length;
      const sd = Math.sqrt(peers.reduce((s, v) => s + (v - mean) ** 2, 0) / peers.length);
      const z = (rate - mean) / Math.max(sd, BASELINE_MIN_SD);
      if (z >= r.minZ) {
        flagged.set(emp, `${emp}: ${count} of ${totals.get(emp)} transactions (${(rate * 100).toFixed(1)}%) vs peers ${(mean * 100).toFixed(1)}% over ${r.periodDays} days, z = ${z.toFixed(1)}`);
      }
    }
    out.set(r.id, flagged);
  }
  return out;
}

/** Receives final hits: the flagged transactions (as the rules read them) and every reason of each. */
export type HitSink = (hits: Hits, txns: Map<number, EvalTxn>) => void;

/** Hits are handed over in slices of about this many flagged transactions, so memory stays flat. */
const SLICE = 200;

/**
 * Runs rules over the transactions started in [since, until] in one pass ordered by time. Windows
 * and sequences also see the transactions just before `since`, so a burst across the boundary
 * counts, but only transactions inside the range are flagged.
 *
 * A flagged transaction can gain reasons only while a window rule that counts it is still open
 * (minutes for a No Sale burst, a week for refunds to one card); after that its hits are final and
 * go to `sink`, in slices, rather than piling up over a months-long range.
 */
export function evaluate(db: Db, rules: RuleDefinition[], since: number, until: number, sink: HitSink): { evaluated: number; flagged: number } {
  const reader = new TxnReader(db);
  const outliers = baselineOutliers(db, reader, rules.filter((r): r is BaselineRule => r.kind === 'baseline'), until);
  const evs = rules.map((r) => evaluator(r, outliers.get(r.id)));
  const lookback = Math.max(0, ...evs.map((e) => e.lookbackMs));
  const hits: Hits = new Map();
  const txns = new Map<number, EvalTxn>();
  // When each flagged transaction's reasons are final: once no window that holds it is still open.
  const finalAt = new Map<number, number>();
  let evaluated = 0;
  let flagged = 0;
  let flushAt = SLICE;
  const hit = (t: EvalTxn, h: Hit) => {
    // Only flag inside the range; the look-back rows are context.
    if (t.startedAt < since) return;
    let m = hits.get(t.id);
    if (!m) {
      hits.set(t.id, (m = new Map()));
      txns.set(t.id, t);
      finalAt.set(t.id, t.startedAt + Math.max(...evs.map((e) => e.holdsMs(t))));
      flagged++;
    }
    const prev = m.get(h.ruleId);
    if (prev) prev.related = [...new Set([...prev.related, ...h.related])].slice(-MAX_RELATED);
    else m.set(h.ruleId, h);
  };
  /** Hands over the hits that are final at time `now`. */
  const flush = (now: number) => {
    const done: Hits = new Map();
    const doneTxns = new Map<number, EvalTxn>();
    for (const [id, m] of hits) {
      if (finalAt.get(id)! >= now) continue;
      done.set(id, m);
      doneTxns.set(id, txns.get(id)!);
      hits.delete(id);
      txns.delete(id);
      finalAt.delete(id);
    }
    if (done.size) sink(done, doneTxns);
  };
  for (const t of reader.inTimeOrder(since - lookback, until)) {
    if (t.startedAt >= since) evaluated++;
    for (const e of evs) e.feed(t, hit);
    if (hits.size >= flushAt) {
      flush(t.startedAt);
      // What is still inside the look-back stays; try again once another slice has gathered.
      flushAt = hits.size + SLICE;
    }
  }
  flush(Infinity);
  return { evaluated, flagged };
}

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };
export const maxSeverity = (list: Severity[]): Severity => list.reduce((a, b) => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a), 'low' as Severity);
