import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../services/transport/cli/run.js';
import { tempDir } from '../helpers/core.js';
import { photo } from './helpers.js';

const tmp = tempDir('penny-faces-cli-');
afterAll(() => tmp.cleanup());

async function penny(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--data-dir', join(tmp.dir, 'data'), ...argv], { out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => '', env: {}, version: 'test' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('penny faces', () => {
  it('enrolls, lists, searches and erases a subject', async () => {
    expect((await penny('faces', 'search', photo('amy', 5))).err).toMatch(/Face search is off/);
    expect((await penny('faces', 'enable')).code).toBe(2);
    expect((await penny('faces', 'enable', '--signage-posted')).code).toBe(0);

    const enrolled = await penny('faces', 'enroll', '--subject', 'Amy F.', '--consent', 'Case 12: theft, police report 4471', '--json', ...[1, 2, 3, 4].map((n) => photo('amy', n)));
    expect(enrolled.code, enrolled.err).toBe(0);
    const e = JSON.parse(enrolled.out);
    expect(e.added).toHaveLength(4);
    expect(e.subject).toMatchObject({ name: 'Amy F.', consentNote: 'Case 12: theft, police report 4471', templates: 4, source: 'local' });

    const list = JSON.parse((await penny('faces', 'subjects', '--json')).out);
    expect(list.map((s: { id: number }) => s.id)).toEqual([e.subject.id]);

    const found = await penny('faces', 'search', photo('amy', 5), '--json');
    const s = JSON.parse(found.out);
    expect(s.faces).toHaveLength(1);
    expect(s.faces[0].matches[0]).toMatchObject({ subjectId: e.subject.id, subjectName: 'Amy F.' });
    expect(s.faces[0].thumbnail).toMatch(/^\(jpeg, \d+ bytes\)$/);
    const other = JSON.parse((await penny('faces', 'search', photo('raj', 5), '--json')).out);
    expect(other.faces[0].matches).toEqual([]);

    const human = await penny('faces', 'search', photo('amy', 5));
    expect(human.out).toMatch(/face 0 at .*: Amy F\. \(#\d+\) \d+(\.\d)?% d=0\.\d+/);

    const erased = await penny('faces', 'erase', '--subject', String(e.subject.id));
    expect(erased.out).toBe(`Erased subject ${e.subject.id}: 4 templates, 0 matches, 4 files.`);
    expect(JSON.parse((await penny('faces', 'subjects', '--json')).out)).toEqual([]);
  }, 90_000);

  it('reports bad input with the exit code for invalid input', async () => {
    const r = await penny('faces', 'search', join(tmp.dir, 'missing.jpg'));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/missing\.jpg does not exist or is not a file/);
    expect((await penny('faces', 'erase')).err).toMatch(/missing --subject ID/);
    expect((await penny('faces', 'enroll', photo('amy', 1))).err).toMatch(/give --subject NAME/);
  });

  it('evaluates a folder of identities: rank-1, TAR at two FARs, threshold and photos without a face', async () => {
    const dir = join(tmp.dir, 'eval');
    for (const id of ['leonard', 'penny', 'sheldon']) {
      mkdirSync(join(dir, id), { recursive: true });
      for (const n of [1, 2, 3]) copyFileSync(photo(id, n), join(dir, id, `${id}${n}.png`));
    }
    const blank = new PNG({ width: 120, height: 120 });
    blank.data.fill(90);
    writeFileSync(join(dir, 'sheldon', 'wall.png'), PNG.sync.write(blank));
    const r = await penny('faces', 'eval', dir, '--json');
    expect(r.code, r.err).toBe(0);
    const ev = JSON.parse(r.out);
    expect(ev).toMatchObject({ identities: 3, images: 10, imagesWithFace: 9, noFace: ['sheldon/wall.png'], rank1Trials: 9, genuinePairs: 9, impostorPairs: 27 });
    expect(ev.rank1).toBeGreaterThanOrEqual(8 / 9);
    expect(ev.tar.map((t: { far: number }) => t.far)).toEqual([0.001, 0.01]);
    expect(ev.tar[0].achievedFar).toBe(0);
    expect(ev.chosenThreshold).toBe(ev.tar[0].threshold);
    const notDir = await penny('faces', 'eval', join(dir, 'leonard', 'leonard1.png'));
    expect(notDir.code).toBe(3);
    expect(notDir.err).toMatch(/is not a readable folder/);
  }, 90_000);
});
