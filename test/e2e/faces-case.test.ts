import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchBrowser, screenshot } from '../helpers/browser.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir } from '../helpers/core.js';

const ROOT = join(import.meta.dirname, '../..');
const POS = join(ROOT, 'fixtures/pos/modisoft/sale-transactions-2025-07-08.csv');
const FACES = join(ROOT, 'fixtures/faces/face-api-examples');
const penny = (dir: string, args: string[], input?: string) =>
  execFileSync(process.execPath, [join(ROOT, 'bin/penny.mjs'), '--data-dir', dir, ...args], { cwd: ROOT, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

interface AuditRow {
  action: string;
  entity: string;
  entityId: string | null;
  actor: string;
  details: Record<string, unknown> | null;
}

/**
 * Issue 6 "done when": a reviewer enrolls the offender's face from a case in the browser; later camera
 * snapshots of the same person (different photos) raise a return-offender match in Monitor live, another
 * person's do not, and every step is in the audit trail. The local WASM engine is slow, so a handful of images.
 */
describe('browser mode: enroll an offender face from a case → return-offender match in Monitor', () => {
  const tmp = tempDir('penny-e2e-faces-');
  let browser: Browser;
  let served: Served;
  let page: Page;
  let session = '';
  let exceptionId = 0;
  let caseId = 0;

  const apiCall = async <T,>(name: string, input: unknown): Promise<{ ok: boolean; value: T; error?: { code: string; message: string } }> => {
    const r = await fetch(`${served.base}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-penny-token': served.token, 'x-penny-session': session },
      body: JSON.stringify(input),
    });
    return (await r.json()) as never;
  };
  /** A camera snapshot scene: the snapshot path of the faces domain (K of N frames must agree). */
  const snapshot = async (files: string[]) => {
    const r = await apiCall<{ searchId: number; facesFound: number; matches: { subjectId: number }[] }>('faces.check', {
      frames: files.map((f) => ({ path: join(FACES, f) })),
      trigger: 'snapshot',
      sourceRef: 'e2e:entrance',
    });
    expect(r.error).toBeUndefined();
    return r.value;
  };
  const faceCards = () => page.locator('article.mon-card[data-kind="face"]');

  beforeAll(async () => {
    penny(tmp.dir, ['onboard', '--store', 'Lemur Express #11', '--timezone', 'America/Chicago', '--username', 'admin', '--password-stdin'], 'night-shift-2026\n');
    penny(tmp.dir, ['faces', 'enable', '--signage-posted', '--json']);
    const imported = JSON.parse(penny(tmp.dir, ['import', POS, '--json'])) as { exceptions: number };
    expect(imported.exceptions).toBeGreaterThan(0);
    const exceptions = JSON.parse(penny(tmp.dir, ['exceptions', 'list', '--json'])) as { id: number }[];
    exceptionId = exceptions[0]!.id;
    const c = JSON.parse(penny(tmp.dir, ['cases', 'create', '--exception', String(exceptionId), '--offender', 'Man in grey hoodie', '--json'])) as { id: number; subjectId: number | null };
    caseId = c.id;
    expect(c.subjectId).toBeNull();
    browser = await launchBrowser();
    served = await startServe(tmp.dir);
    session = (await apiCall<{ token: string }>('auth.login', { username: 'admin', password: 'night-shift-2026' })).value.token;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.cleanup();
  });

  it('enrolls the offender’s face from the case in Review: detect, pick the face, enroll, link to the case', async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(30_000);
    await page.goto(served.url);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('night-shift-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.goto(`${served.base}/#/review/${exceptionId}`);
    await page.getByText(`Case #${caseId}:`).waitFor();

    await page.getByRole('button', { name: "Enroll offender's face" }).click();
    const form = page.getByRole('form', { name: "Enroll offender's face" });
    expect(await form.getByLabel('Name or description').inputValue()).toBe('Man in grey hoodie');
    await form.getByLabel('Offender photo').setInputFiles(join(FACES, 'amy/amy1.png'));
    // The detected faces are offered as thumbnails, best first; the best usable one is preselected.
    const faces = form.getByRole('radio');
    await faces.first().waitFor();
    expect(await faces.count()).toBeGreaterThanOrEqual(1);
    expect(await faces.first().isChecked()).toBe(true);
    expect(await form.locator('.fe-face img').first().getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    await screenshot(page, 'faces-case-pick-1440');
    await page.setViewportSize({ width: 390, height: 900 });
    await form.scrollIntoViewIfNeeded();
    await screenshot(page, 'faces-case-pick-390');
    await page.setViewportSize({ width: 1440, height: 1000 });

    await form.getByRole('button', { name: 'Enroll this face' }).click();
    await page.getByRole('status').filter({ hasText: 'is on the watchlist' }).waitFor();

    const subjects = (await apiCall<{ id: number; name: string; caseId: number | null; templates: number }[]>('faces.subjects', {})).value;
    expect(subjects).toHaveLength(1);
    expect(subjects[0]).toMatchObject({ name: 'Man in grey hoodie', caseId, templates: 1 });
    const c = (await apiCall<{ subjectId: number | null }>('cases.get', { id: caseId })).value;
    expect(c.subjectId).toBe(subjects[0]!.id);
    await page.getByText(`Face enrolled as subject #${subjects[0]!.id}`).waitFor();
    // The case's audit trail in the UI shows the enrolment.
    await page.getByRole('list', { name: 'Audit trail' }).getByText('Face enrolled (new watchlist subject)').waitFor();
  }, 90_000);

  it('a later snapshot of the same person raises a return-offender match in Monitor without reload; another person does not', async () => {
    await page.goto(`${served.base}/#/monitor`);
    await page.locator('article.mon-card').first().waitFor();
    expect(await faceCards().count()).toBe(0);

    const other = await snapshot(['sheldon/sheldon1.png', 'sheldon/sheldon2.png']);
    expect(other.facesFound).toBeGreaterThanOrEqual(2);
    expect(other.matches).toHaveLength(0);

    const same = await snapshot(['amy/amy2.png', 'amy/amy3.png']);
    expect(same.matches).toHaveLength(1);
    await eventually(async () => expect(await faceCards().count()).toBe(1), 15_000);
    await expect(faceCards().first().locator('h3').textContent()).resolves.toBe('Possible return: Man in grey hoodie');
    await expect(faceCards().first().locator('.mon-detail').textContent()).resolves.toMatch(/^2 of 2 frames agree, similarity \d{1,3}%$/);
    await screenshot(page, 'faces-case-monitor-1440');

    // The other person's scene still has no match on record.
    const matches = (await apiCall<{ subjectName: string }[]>('faces.matches', {})).value;
    expect(matches.map((m) => m.subjectName)).toEqual(['Man in grey hoodie']);
  }, 90_000);

  it('every step is in the audit trail: enable, detect, enroll, case link, both searches and the match', async () => {
    const audit = (await apiCall<AuditRow[]>('audit.list', { limit: 1000 })).value;
    const actions = audit.map((a) => a.action);
    expect(actions).toContain('faces.enable');
    expect(actions).toContain('faces.detect');
    expect(audit.filter((a) => a.action === 'faces.subjectCreate')).toHaveLength(1);
    expect(audit.find((a) => a.action === 'faces.subjectCreate')!.actor).toMatch(/^user:\d+:admin$/);
    expect(audit.some((a) => a.action === 'case.update' && a.entityId === String(caseId))).toBe(true);
    const searches = audit.filter((a) => a.action === 'faces.search');
    expect(searches).toHaveLength(2);
    expect(searches.every((s) => s.details?.trigger === 'snapshot')).toBe(true);
    expect(searches.map((s) => (s.details?.matchedSubjects as unknown[]).length).sort()).toEqual([0, 1]);
    expect(audit.filter((a) => a.action === 'faces.match')).toHaveLength(1);
  });
});
