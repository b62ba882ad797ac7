import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../services/transport/cli/run.js';
import { ONBOARD, tempDir, testCore } from '../helpers/core.js';
import { MODISOFT, naxml } from './helpers.js';

const tmp = tempDir();
async function penny(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--data-dir', tmp.dir, ...argv], { out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => '', env: {}, version: 'test' });
  return { code, out: out.join('\n'), err: err.filter((l) => !l.startsWith('{')).join('\n') };
}

describe('penny import / transactions / exceptions / rules', () => {
  beforeAll(async () => {
    const tc = await testCore({ dir: tmp.dir });
    await tc.sys('onboarding.complete', ONBOARD);
    await tc.close();
  });
  afterAll(() => tmp.cleanup());

  it('imports the real Modisoft day and prints the report as JSON', async () => {
    const r = await penny('import', MODISOFT, '--register', '4', '--json');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep).toMatchObject({ file: 'sale-transactions-2025-07-08.csv', format: 'modisoft', transactions: 641, duplicates: 0, rejected: [], exceptions: 24, byType: { sale: 617, no_sale: 20, void: 4 } });
    expect(rep.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports a duplicate on the second run and still exits 0', async () => {
    const r = await penny('import', MODISOFT, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'duplicate', transactions: 0 });
  });

  it('imports several files in one call, naming the one that fails, and exits non-zero', async () => {
    const bad = join(tmp.dir, 'broken.xml');
    writeFileSync(bad, '<?xml version="1.0"?><NAXML-POSJournal version="3.6"><JournalReport>');
    const r = await penny('import', naxml('20837-2'), bad, '--json');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/broken\.xml: cannot be imported: .*not well-formed XML/);
    const body = JSON.parse(r.out);
    expect(body.reports).toHaveLength(1);
    expect(body.reports[0]).toMatchObject({ format: 'naxml', transactions: 146 });
    expect(body.failures).toEqual([{ file: bad, message: expect.stringMatching(/not well-formed XML/) }]);
  });

  it('refuses a missing file and a wrong --format clearly', async () => {
    const missing = await penny('import', join(tmp.dir, 'nope.csv'));
    expect(missing.code).toBe(4);
    expect(missing.err).toMatch(/nope\.csv: no such file/);
    const wrong = await penny('import', MODISOFT, '--format', 'naxml');
    expect(wrong.code).toBe(3);
    expect(wrong.err).toMatch(/--format naxml was given, but the file is a text\/CSV file/);
  });

  it('lists transactions by type and time', async () => {
    const r = await penny('transactions', 'list', '--type', 'void', '--since', '2025-07-08T00:00:00-05:00', '--until', '2025-07-09T05:00:00Z', '--json');
    expect(r.code).toBe(0);
    const items = JSON.parse(r.out);
    expect(items).toHaveLength(4);
    expect(items.every((t: { type: string; register: string }) => t.type === 'void' && t.register === '4')).toBe(true);
    const bad = await penny('transactions', 'list', '--since', 'yesterday');
    expect(bad.code).toBe(2);
  });

  it('lists exceptions by rule and status', async () => {
    const r = await penny('exceptions', 'list', '--rule', 'void', '--status', 'open', '--json');
    expect(JSON.parse(r.out)).toHaveLength(4);
    const none = await penny('exceptions', 'list', '--status', 'dismissed', '--json');
    expect(JSON.parse(none.out)).toHaveLength(0);
  });

  it('sets a rule from a file, runs rules without duplicating, and lists them', async () => {
    const f = join(tmp.dir, 'rule.json');
    writeFileSync(f, JSON.stringify({ id: 'big-sale', name: 'Sale over $100', kind: 'match', severity: 'low', match: { types: ['sale'], minAmountCents: 10000 } }));
    expect((await penny('rules', 'set', f)).code).toBe(0);
    const list = JSON.parse((await penny('rules', 'list', '--json')).out) as { definition: { id: string } }[];
    expect(list.map((r) => r.definition.id)).toContain('big-sale');
    expect(list.map((r) => r.definition.id)).toContain('no-sale-burst');
    const run = JSON.parse((await penny('rules', 'run', '--since', '2025-07-01', '--json')).out);
    expect(run.created).toBeGreaterThan(0);
    const again = JSON.parse((await penny('rules', 'run', '--since', '2025-07-01', '--json')).out);
    expect(again).toMatchObject({ created: 0, flagged: run.flagged });
    const bad = join(tmp.dir, 'bad-rule.json');
    writeFileSync(bad, JSON.stringify({ id: 'x', name: 'x', kind: 'window', severity: 'low', match: {}, count: 1, withinMinutes: 5 }));
    const res = await penny('rules', 'set', bad);
    expect(res.code).toBe(3);
    expect(res.err).toMatch(/count/);
  });
});
