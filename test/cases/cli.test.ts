import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../services/transport/cli/run.js';
import { ONBOARD, tempDir, testCore } from '../helpers/core.js';
import { MODISOFT } from '../pos/helpers.js';

const tmp = tempDir();
async function penny(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--data-dir', tmp.dir, ...argv], { out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => '', env: {}, version: 'test' });
  return { code, out: out.join('\n'), err: err.filter((l) => !l.startsWith('{')).join('\n') };
}

describe('penny cases', () => {
  let ex: number[] = [];
  beforeAll(async () => {
    const tc = await testCore({ dir: tmp.dir });
    await tc.sys('onboarding.complete', ONBOARD);
    await tc.sys('pos.import', { path: MODISOFT });
    ex = (await tc.sys<{ items: { id: number }[] }>('exceptions.list', { limit: 3 })).items.map((i) => i.id);
    await tc.close();
  });
  afterAll(() => tmp.cleanup());

  it('creates, lists, notes, tags, confirms and exports a case', async () => {
    const created = await penny('cases', 'create', '--exception', String(ex[0]), '--exception', String(ex[1]), '--amount', '2500', '--json');
    expect(created.code).toBe(0);
    const c = JSON.parse(created.out);
    expect(c).toMatchObject({ status: 'open', amountCents: 2500, amountSource: 'entered', exceptionIds: [ex[0], ex[1]].sort((a, b) => a! - b!) });

    const list = await penny('cases', 'list', '--json');
    expect(JSON.parse(list.out).map((x: { id: number }) => x.id)).toEqual([c.id]);

    expect((await penny('cases', 'note', String(c.id), '--text', 'Checked the drawer count')).code).toBe(0);
    const tagged = await penny('cases', 'tag', String(c.id), 'escalate');
    expect(tagged).toMatchObject({ code: 0, out: expect.stringContaining('escalated') });

    const confirmed = await penny('cases', 'confirm', String(c.id), '--reason', 'Owner reviewed the video', '--json');
    expect(confirmed.code).toBe(0);
    expect(JSON.parse(confirmed.out)).toMatchObject({ status: 'confirmed', confirmedBy: 'system:cli', confirmReason: 'Owner reviewed the video' });

    const out = join(tmp.dir, 'out', 'case.zip');
    const exported = await penny('cases', 'export', String(c.id), '--out', out);
    expect(exported.code).toBe(0);
    expect(existsSync(out) && statSync(out).size).toBeGreaterThan(100);
  });

  it('names what is wrong with bad arguments', async () => {
    const noEx = await penny('cases', 'create', '--json');
    expect(noEx).toMatchObject({ code: 2, err: expect.stringContaining('--exception') });
    const badAmount = await penny('cases', 'create', '--exception', String(ex[2]), '--amount', '12.50');
    expect(badAmount).toMatchObject({ code: 2, err: expect.stringContaining('whole cents') });
    const badTag = await penny('cases', 'tag', '1', 'arrest');
    expect(badTag).toMatchObject({ code: 2, err: expect.stringContaining('unknown tag "arrest"') });
    const noReason = await penny('cases', 'confirm', '1');
    expect(noReason).toMatchObject({ code: 2, err: expect.stringContaining('--reason') });
    const missing = await penny('cases', 'note', '999', '--text', 'x');
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain('no case with id 999');
  });
});
