import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ExceptionSummary, ImportReport, Rule, Transaction } from '../../../contract/index.js';
import { CliError, intOpt, str, type CliCommand, type CliContext, type Values } from '../types.js';

const money = (c: number) => `${c < 0 ? '-' : ''}$${(Math.abs(c) / 100).toFixed(2)}`;

/** An ISO date/time (or epoch ms) from an option, as UTC epoch ms. */
function isoOpt(v: Values, name: string): number | undefined {
  const s = str(v[name]);
  if (s === undefined) return undefined;
  if (/^\d+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new CliError(`--${name} must be an ISO date/time such as 2025-07-08 or 2025-07-08T06:00:00Z, got "${s}"`, 2);
  return t;
}

const print = (ctx: CliContext, value: unknown, human: string) => ctx.out(ctx.json ? JSON.stringify(value, null, 2) : human);

function reportLine(r: ImportReport): string {
  if (r.status === 'duplicate') return `${r.file}: duplicate file (already imported as import ${r.duplicateOf}); 0 new transactions`;
  const types = Object.entries(r.byType).map(([t, n]) => `${n} ${t}`).join(', ');
  const lines = [`${r.file}: import ${r.importId} (${r.format}) — ${r.transactions} new, ${r.duplicates} already stored, ${r.rejectedCount} rejected, ${r.exceptions} exceptions; ${types}; total ${money(r.totalCents)}`];
  for (const x of r.rejected.slice(0, 20)) lines.push(`  rejected ${typeof x.row === 'number' ? 'line ' + x.row : x.row}, ${x.field}: ${x.message}`);
  if (r.rejectedCount > 20) lines.push(`  … and ${r.rejectedCount - 20} more (penny imports show ${r.importId})`);
  return lines.join('\n');
}

export const posCliCommands: CliCommand[] = [
  {
    path: ['import'],
    summary: 'Import POS reports (Modisoft CSV/XLS, NAXML, any CSV/XLSX with a mapping)',
    usage: 'penny import FILE... [--format modisoft|naxml|csv|xlsx] [--mapping NAME] [--register ID] [--json]',
    options: { format: { type: 'string' }, mapping: { type: 'string' }, register: { type: 'string' } },
    positionals: true,
    async run(ctx, v, files) {
      if (!files.length) throw new CliError('give at least one FILE to import', 2);
      const reports: ImportReport[] = [];
      const failures: { file: string; message: string }[] = [];
      let exit = 0;
      for (const f of files) {
        try {
          const r = await ctx.call<ImportReport>('pos.import', { path: resolve(f), format: str(v.format), mapping: str(v.mapping), register: str(v.register) });
          reports.push(r);
          if (!ctx.json) ctx.out(reportLine(r));
        } catch (err) {
          if (!(err instanceof CliError)) throw err;
          failures.push({ file: f, message: err.message });
          ctx.err(`penny import: ${f}: cannot be imported: ${err.message}`);
          exit = exit || err.exitCode;
        }
      }
      if (ctx.json) ctx.out(JSON.stringify(files.length === 1 && reports.length === 1 ? reports[0] : { reports, failures }, null, 2));
      return exit;
    },
  },
  {
    path: ['imports', 'list'],
    summary: 'List past POS imports',
    usage: 'penny imports list [--limit N] [--json]',
    options: { limit: { type: 'string' } },
    async run(ctx, v) {
      const list = await ctx.call<(Omit<ImportReport, 'rejected'> & { importId: number })[]>('imports.list', { limit: intOpt(v, 'limit') });
      print(ctx, list, list.map((r) => `${r.importId}\t${new Date(r.finishedAt).toISOString()}\t${r.format}\t${r.transactions} new\t${r.rejectedCount} rejected\t${r.file}`).join('\n') || '(no imports)');
    },
  },
  {
    path: ['imports', 'show'],
    summary: 'Show one import report with its rejected rows',
    usage: 'penny imports show ID [--json]',
    positionals: true,
    async run(ctx, _v, pos) {
      if (pos.length !== 1 || !/^\d+$/.test(pos[0]!)) throw new CliError('usage: penny imports show ID', 2);
      const r = await ctx.call<ImportReport>('imports.get', { id: Number(pos[0]) });
      print(ctx, r, reportLine(r));
    },
  },
  {
    path: ['transactions', 'list'],
    summary: 'List imported transactions, newest first',
    usage: 'penny transactions list [--type T] [--since ISO] [--until ISO] [--register CODE] [--employee ID] [--limit N] [--json]',
    options: { type: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, register: { type: 'string' }, employee: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx, v) {
      const r = await ctx.call<{ items: Transaction[]; nextCursor: string | null }>('transactions.list', {
        type: str(v.type),
        since: isoOpt(v, 'since'),
        until: isoOpt(v, 'until'),
        register: str(v.register),
        employee: str(v.employee),
        limit: intOpt(v, 'limit') ?? 100,
      });
      print(ctx, r.items, r.items.map((t) => `${t.id}\t${new Date(t.startedAt).toISOString()}\t${t.type}\t${money(t.amountCents)}\treg ${t.register ?? '-'}\t${t.employee ?? '-'}`).join('\n') || '(no transactions)');
    },
  },
  {
    path: ['exceptions', 'list'],
    summary: 'List exceptions raised by the rules, newest first',
    usage: 'penny exceptions list [--rule ID] [--status S] [--type T] [--since ISO] [--until ISO] [--limit N] [--json]',
    options: { rule: { type: 'string' }, status: { type: 'string' }, type: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx, v) {
      const r = await ctx.call<{ items: ExceptionSummary[] }>('exceptions.list', {
        rule: str(v.rule),
        status: str(v.status),
        type: str(v.type),
        since: isoOpt(v, 'since'),
        until: isoOpt(v, 'until'),
        limit: intOpt(v, 'limit') ?? 100,
      });
      print(
        ctx,
        r.items,
        r.items.map((e) => `${e.id}\t${new Date(e.startedAt).toISOString()}\t${e.severity}\t${e.status}\t${e.type}\t${money(e.amountCents)}\t${e.reasons.map((x) => x.ruleName).join('; ')}`).join('\n') || '(no exceptions)',
      );
    },
  },
  {
    path: ['rules', 'list'],
    summary: 'List the exception rules',
    usage: 'penny rules list [--json]',
    async run(ctx) {
      const rules = await ctx.call<Rule[]>('rules.list');
      print(ctx, rules, rules.map((r) => `${r.definition.id}\t${r.definition.kind}\t${r.definition.severity}\t${r.definition.enabled ? 'on' : 'off'}\t${r.definition.name}`).join('\n'));
    },
  },
  {
    path: ['rules', 'set'],
    summary: 'Create or replace rules from a JSON file (one rule or an array)',
    usage: 'penny rules set FILE.json [--json]',
    positionals: true,
    async run(ctx, _v, pos) {
      if (pos.length !== 1) throw new CliError('usage: penny rules set FILE.json', 2);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(resolve(pos[0]!), 'utf8'));
      } catch (err) {
        throw new CliError(`${pos[0]}: ${(err as { code?: string }).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}`, 3);
      }
      const rules = Array.isArray(parsed) ? parsed : [parsed];
      const saved = await ctx.call<Rule[]>('rules.save', { rules });
      print(ctx, saved, saved.map((r) => `saved rule ${r.definition.id} (${r.definition.name})`).join('\n'));
    },
  },
  {
    path: ['rules', 'run'],
    summary: 'Run the enabled rules over transactions since a time (default: last 30 days)',
    usage: 'penny rules run [--since ISO] [--until ISO] [--json]',
    options: { since: { type: 'string' }, until: { type: 'string' } },
    async run(ctx, v) {
      const r = await ctx.call<{ evaluated: number; flagged: number; created: number; updated: number }>('rules.run', { since: isoOpt(v, 'since'), until: isoOpt(v, 'until') });
      print(ctx, r, `evaluated ${r.evaluated} transactions: ${r.flagged} flagged, ${r.created} new exceptions, ${r.updated} updated`);
    },
  },
];
