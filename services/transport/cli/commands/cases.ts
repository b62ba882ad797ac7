import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Case, CaseTag, Note } from '../../../contract/index.js';
import { CliError, requireOpt, type CliCommand } from '../types.js';
import { printOr } from '../output.js';

/** `penny cases …`: open, note, tag, confirm and export cases from a terminal (runs as the local system user). */

const TAGS: readonly string[] = ['approved', 'investigate', 'escalate', 'dismiss', 'reopen'];
const money = (c: number) => `$${(c / 100).toFixed(2)}`;

function caseId(pos: string[], usage: string): number {
  if (pos.length !== 1 || !/^\d+$/.test(pos[0]!)) throw new CliError(`usage: ${usage}`, 2);
  return Number(pos[0]);
}

function line(c: Case): string {
  return `#${c.id}  ${c.status.padEnd(13)} ${money(c.amountCents).padStart(10)}  ${c.title}  (exceptions ${c.exceptionIds.join(', ')})`;
}

export const casesCliCommands: CliCommand[] = [
  {
    path: ['cases', 'create'],
    summary: 'Open a case from one or more exceptions',
    usage: 'penny cases create --exception ID [--exception ID...] [--amount CENTS] [--title T] [--offender TEXT] [--json]',
    options: { exception: { type: 'string', multiple: true }, amount: { type: 'string' }, title: { type: 'string' }, offender: { type: 'string' } },
    async run(ctx, v) {
      const raw = (v.exception as string[] | undefined) ?? [];
      if (!raw.length) throw new CliError('missing --exception (give one per exception)', 2);
      const exceptionIds = raw.map((s) => {
        if (!/^\d+$/.test(s)) throw new CliError(`--exception must be an exception id (a whole number), got "${s}"`, 2);
        return Number(s);
      });
      let amountCents: number | undefined;
      if (typeof v.amount === 'string') {
        if (!/^\d+$/.test(v.amount)) throw new CliError(`--amount is whole cents (e.g. 1250 for $12.50), got "${v.amount}"`, 2);
        amountCents = Number(v.amount);
      }
      const c = await ctx.call<Case>('cases.create', { exceptionIds, amountCents, title: v.title, offender: v.offender });
      printOr(ctx, c, `Opened case ${line(c)}`);
    },
  },
  {
    path: ['cases', 'list'],
    summary: 'Cases, newest first',
    usage: 'penny cases list [--status open|investigating|escalated|confirmed|dismissed|approved] [--json]',
    options: { status: { type: 'string' } },
    async run(ctx, v) {
      const rows = await ctx.call<Case[]>('cases.list', { status: v.status });
      printOr(ctx, rows, rows.length ? rows.map(line).join('\n') : 'No cases yet.');
    },
  },
  {
    path: ['cases', 'note'],
    summary: 'Add a note to a case',
    usage: 'penny cases note ID --text T',
    options: { text: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      const id = caseId(pos, 'penny cases note ID --text T');
      const n = await ctx.call<Note>('cases.note', { id, text: requireOpt(v, 'text') });
      printOr(ctx, n, `Note ${n.id} added to case #${id}.`);
    },
  },
  {
    path: ['cases', 'tag'],
    summary: 'Tag a case approved, investigate or escalate (also dismiss, reopen)',
    usage: 'penny cases tag ID approved|investigate|escalate|dismiss|reopen [--note T]',
    options: { note: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      const usage = 'penny cases tag ID approved|investigate|escalate|dismiss|reopen';
      if (pos.length !== 2) throw new CliError(`usage: ${usage}`, 2);
      const id = caseId(pos.slice(0, 1), usage);
      const tag = pos[1]!;
      if (!TAGS.includes(tag)) throw new CliError(`unknown tag "${tag}"; use one of ${TAGS.join(', ')}`, 2);
      const c = await ctx.call<Case>('cases.tag', { id, tag: tag as CaseTag, note: v.note });
      printOr(ctx, c, `Case ${line(c)}`);
    },
  },
  {
    path: ['cases', 'confirm'],
    summary: 'Confirm a case (records who and why; goes to the sync outbox)',
    usage: 'penny cases confirm ID --reason R [--json]',
    options: { reason: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      const id = caseId(pos, 'penny cases confirm ID --reason R');
      const c = await ctx.call<Case>('cases.confirm', { id, reason: requireOpt(v, 'reason') });
      printOr(ctx, c, `Confirmed case ${line(c)}\n  by ${c.confirmedBy}: ${c.confirmReason}`);
    },
  },
  {
    path: ['cases', 'export'],
    summary: 'Write a case’s evidence bundle (zip) and copy it to a file',
    usage: 'penny cases export ID --out FILE.zip [--json]',
    options: { out: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      const id = caseId(pos, 'penny cases export ID --out FILE.zip');
      const out = resolve(requireOpt(v, 'out'));
      const r = await ctx.call<{ path: string; sha256: string; bytes: number; clips: number; pins: number }>('cases.export', { id });
      await mkdir(dirname(out), { recursive: true });
      await copyFile(join(ctx.dataDir, r.path), out);
      printOr(ctx, { ...r, out }, `Wrote ${out} (${r.bytes} bytes, ${r.clips} clip(s), sha256 ${r.sha256}).`);
    },
  },
];
