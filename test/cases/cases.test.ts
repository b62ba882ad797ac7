import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, Case, CaseDetail, Note, ReviewItem } from '../../services/contract/index.js';
import { ONBOARD, fakeClock, testCore, type TestCore } from '../helpers/core.js';
import { AFTER_MODISOFT_DAY, MODISOFT } from '../pos/helpers.js';
import { ffmpegSync } from '../video/media.js';

type Page = { items: ReviewItem[]; nextCursor: string | null; total: number | null };

describe('cases over the real Modisoft day', () => {
  let tc: TestCore;
  let manager = '';
  let viewer = '';
  let ids: number[] = [];
  const clock = fakeClock(AFTER_MODISOFT_DAY);
  const events: { name: string; payload: any }[] = [];

  const as = async <T>(session: string, name: string, input: unknown): Promise<T> => {
    const r = await tc.call(name, input, { session });
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
    return r.value as T;
  };
  const fails = async (session: string | null, name: string, input: unknown) => {
    const r = session === null ? await tc.call(name, input, { system: 'test' }) : await tc.call(name, input, { session });
    if (r.ok) throw new Error(`${name} should have failed`);
    return r.error;
  };

  beforeAll(async () => {
    tc = await testCore({ clock });
    await tc.sys('onboarding.complete', ONBOARD);
    await tc.sys('users.create', { username: 'maria', displayName: 'Maria Manager', role: 'manager', password: 'maria manager pw 1' });
    await tc.sys('users.create', { username: 'vic', displayName: 'Vic Viewer', role: 'viewer', password: 'vic viewer pw 12' });
    manager = (await tc.sys<{ token: string }>('auth.login', { username: 'maria', password: 'maria manager pw 1' })).token;
    viewer = (await tc.sys<{ token: string }>('auth.login', { username: 'vic', password: 'vic viewer pw 12' })).token;
    tc.core.events.subscribe((name: string, payload: unknown) => {
      if (['case.confirmed', 'case.updated', 'exception.updated', 'note.added'].includes(name)) events.push({ name, payload });
    });
    await tc.sys('pos.import', { path: MODISOFT });
    const page = await tc.sys<Page>('review.list', { limit: 1000, withTotal: true });
    expect(page.total).toBe(24);
    ids = page.items.map((i) => i.id);
  });
  afterAll(() => tc.close());

  it('opens a case whose amount is the sum of its transactions, or the amount entered', async () => {
    const [a, b] = [ids[0]!, ids[1]!];
    const xs = await Promise.all([a, b].map((id) => tc.sys<{ amountCents: number }>('exceptions.get', { id })));
    const c = await as<Case>(manager, 'cases.create', { exceptionIds: [a, b, a] });
    expect(c).toMatchObject({ status: 'open', exceptionIds: [a, b].sort((x, y) => x - y), amountSource: 'transactions', createdBy: expect.stringMatching(/^user:\d+:maria$/) });
    expect(c.amountCents).toBe(Math.abs(xs[0]!.amountCents) + Math.abs(xs[1]!.amountCents));
    expect(c.title.length).toBeGreaterThan(0);

    const entered = await as<Case>(manager, 'cases.create', { exceptionIds: [ids[2]!], amountCents: 4599, offender: 'tall man, red cap' });
    expect(entered).toMatchObject({ amountCents: 4599, amountSource: 'entered', offender: 'tall man, red cap' });
    const back = await as<Case>(manager, 'cases.update', { id: entered.id, amountCents: null });
    expect(back.amountSource).toBe('transactions');

    const listed = await as<Case[]>(viewer, 'cases.list', { exceptionId: a });
    expect(listed.map((x) => x.id)).toEqual([c.id]);

    await tc.sys('exceptions.setStatus', { id: ids[3]!, status: 'escalated' });
    const fromEscalated = await as<Case>(manager, 'cases.create', { exceptionIds: [ids[3]!, ids[4]!] });
    expect(fromEscalated.status).toBe('escalated');
  });

  it('refuses bad input with the field and the id named', async () => {
    const missing = await fails(manager, 'cases.create', { exceptionIds: [999999] });
    expect(missing).toMatchObject({ code: 'not_found', message: expect.stringContaining('999999') });
    const empty = await fails(manager, 'cases.create', { exceptionIds: [] });
    expect(empty.code).toBe('invalid_input');
    expect(JSON.stringify(empty.details)).toContain('exceptionIds');
    const negative = await fails(manager, 'cases.create', { exceptionIds: [ids[0]!], amountCents: -5 });
    expect(negative.message).toMatch(/negative/);
    const noCase = await fails(manager, 'cases.note', { id: 424242, text: 'x' });
    expect(noCase).toMatchObject({ code: 'not_found', message: expect.stringContaining('424242') });
    const blank = await fails(manager, 'cases.note', { id: 1, text: '   ' });
    expect(blank.message).toMatch(/note is required/);
    const nobody = await fails(manager, 'cases.create', { exceptionIds: [ids[0]!], assigneeUserId: 77 });
    expect(nobody.message).toMatch(/no user with id 77/);
  });

  it('searches notes of exceptions and of their cases with FTS, safe against query syntax', async () => {
    const [x1, x2, x3] = [ids[5]!, ids[6]!, ids[7]!];
    await as<Note>(manager, 'review.note', { exceptionId: x1, text: 'Customer left with two cartons of Marlboro' });
    const c = await as<Case>(manager, 'cases.create', { exceptionIds: [x2, x3] });
    await as<Note>(manager, 'cases.note', { id: c.id, text: 'Drawer was short at shift change' });

    const find = async (q: string) => (await as<Page>(viewer, 'review.list', { q, limit: 1000 })).items.map((i) => i.id).sort((a, b) => a - b);
    expect(await find('marlb')).toEqual([x1]);
    expect(await find('DRAWER short')).toEqual([x2, x3].sort((a, b) => a - b));
    expect(await find('drawer marlboro')).toEqual([]);
    expect(await find('" OR * NEAR(')).toEqual([]);
    expect(await find('"')).toEqual([]);

    const page = await as<Page>(viewer, 'review.list', { limit: 1000 });
    const item = page.items.find((i) => i.id === x1)!;
    expect(item).toMatchObject({ notes: 1, caseId: null });
    expect(page.items.find((i) => i.id === x2)!.caseId).toBe(c.id);
    const notes = await as<Note[]>(viewer, 'review.notes', { exceptionId: x2 });
    expect(notes.map((n) => n.text)).toEqual(['Drawer was short at shift change']);
  });

  it('pages the review list by cursor with the same filters as exceptions.list', async () => {
    const all = await as<Page>(viewer, 'review.list', { limit: 1000, type: 'no_sale', withTotal: true });
    const seen: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const p: Page = await as<Page>(viewer, 'review.list', { limit: 7, type: 'no_sale', cursor });
      seen.push(...p.items.map((i) => i.id));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    expect(seen).toEqual(all.items.map((i) => i.id));
    expect(all.total).toBe(20);
    const bad = await fails(viewer, 'review.list', { cursor: 'nope' });
    expect(bad).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('cursor') });
  });

  it('tags, confirms with who and why, emits case.confirmed and then refuses changes', async () => {
    const [x] = [ids[10]!];
    const c = await as<Case>(manager, 'cases.create', { exceptionIds: [x] });
    clock.advance(1000);
    const esc = await as<Case>(manager, 'cases.tag', { id: c.id, tag: 'escalate', note: 'Camera shows the drawer open' });
    expect(esc.status).toBe('escalated');
    expect((await tc.sys<{ status: string }>('exceptions.get', { id: x })).status).toBe('escalated');

    const viewerTry = await fails(viewer, 'cases.confirm', { id: c.id, reason: 'looks bad' });
    expect(viewerTry.code).toBe('forbidden');
    const noReason = await fails(manager, 'cases.confirm', { id: c.id, reason: '' });
    expect(noReason).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('reason') });

    events.length = 0;
    clock.advance(1000);
    const done = await as<Case>(manager, 'cases.confirm', { id: c.id, reason: 'Video shows cash pocketed after the No Sale' });
    expect(done).toMatchObject({ status: 'confirmed', confirmedBy: expect.stringMatching(/^user:\d+:maria$/), confirmedAt: clock.now(), confirmReason: 'Video shows cash pocketed after the No Sale' });
    const confirmed = events.filter((e) => e.name === 'case.confirmed');
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]!.payload).toMatchObject({ id: c.id, exceptionIds: [x], amountCents: done.amountCents, confirmedBy: done.confirmedBy, reason: done.confirmReason });
    expect(events.some((e) => e.name === 'exception.updated' && e.payload.id === x && e.payload.status === 'confirmed')).toBe(true);
    expect((await tc.sys<{ status: string }>('exceptions.get', { id: x })).status).toBe('confirmed');

    expect((await fails(manager, 'cases.confirm', { id: c.id, reason: 'again' })).code).toBe('conflict');
    expect((await fails(manager, 'cases.tag', { id: c.id, tag: 'approved' })).code).toBe('conflict');
    expect((await fails(manager, 'cases.update', { id: c.id, amountCents: 1 })).code).toBe('conflict');
    // Nor can another screen (Monitor, Review) change the exception behind the case's back.
    expect(await fails(manager, 'exceptions.setStatus', { id: x, status: 'dismissed' })).toMatchObject({ code: 'conflict', message: expect.stringContaining(`confirmed case ${c.id}`) });

    const approved = await as<Case>(manager, 'cases.create', { exceptionIds: [ids[11]!] });
    await as<Case>(manager, 'cases.tag', { id: approved.id, tag: 'approved' });
    expect((await fails(manager, 'cases.confirm', { id: approved.id, reason: 'x' })).message).toMatch(/approved; reopen it/);
  });

  it('audits every view, change and export of a case, with who and when', async () => {
    const c = await as<Case>(manager, 'cases.create', { exceptionIds: [ids[12]!] });
    await as<Note>(manager, 'cases.note', { id: c.id, text: 'Asked the cashier' });
    await as<Case>(manager, 'cases.tag', { id: c.id, tag: 'investigate' });
    const detail = await as<CaseDetail>(viewer, 'cases.get', { id: c.id });
    expect(detail.exceptions.map((e) => e.id)).toEqual([ids[12]]);
    expect(detail.notes.map((n) => n.text)).toEqual(['Asked the cashier']);
    await as(manager, 'cases.confirm', { id: c.id, reason: 'Admitted it' });
    const trail = await as<AuditEvent[]>(manager, 'audit.list', { entity: 'case', entityId: String(c.id) });
    // Other domains may add their own steps (the sync outbox queues a confirmed case); ours come in order.
    expect(trail.map((e) => e.action).filter((a) => a.startsWith('case.')).reverse()).toEqual(['case.create', 'case.note', 'case.tag', 'case.view', 'case.confirm']);
    expect(trail.find((e) => e.action === 'case.view')!.actor).toMatch(/:vic$/);
    expect(trail.find((e) => e.action === 'case.confirm')!.details).toMatchObject({ reason: 'Admitted it' });
  });

  it('exports the evidence bundle with the clip, receipt and notes, pinning the clip once', async () => {
    const x = ids[15]!;
    const video = join(tc.dir, 'attached.mp4');
    ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=5', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', video]);
    const clip = await tc.sys<{ id: number; start: number; end: number }>('clips.import', { path: video, exceptionId: x });
    const c = await as<Case>(manager, 'cases.create', { exceptionIds: [x] });
    await as<Note>(manager, 'review.note', { exceptionId: x, text: 'Regular customer, knows the cashier' });
    const r = await as<{ path: string; sha256: string; clips: number; pins: number }>(manager, 'cases.export', { id: c.id });
    expect(r).toMatchObject({ clips: 1, pins: 1, path: expect.stringMatching(/^exports\/evidence_.*\.zip$/) });
    const zip = join(tc.dir, r.path);
    expect(existsSync(zip)).toBe(true);
    const listing = spawnSync('unzip', ['-l', zip], { encoding: 'utf8' }).stdout;
    for (const f of ['manifest.json', 'receipt.txt', 'notes.txt', 'summary.pdf', 'clips/']) expect(listing).toContain(f);
    const notes = spawnSync('unzip', ['-p', zip, 'notes.txt'], { encoding: 'utf8' }).stdout;
    expect(notes).toContain('Regular customer, knows the cashier');
    const receipt = spawnSync('unzip', ['-p', zip, 'receipt.txt'], { encoding: 'utf8' }).stdout;
    const txn = (await tc.sys<{ transactions: { id: number; externalId: string | null; wallTime: string }[] }>('exceptions.get', { id: x })).transactions[0]!;
    expect(receipt).toContain(`#${txn.externalId ?? txn.id}`);
    expect(receipt).toContain(txn.wallTime.replace('T', ' '));
    const pins = tc.core.db.prepare('SELECT start_ms, end_ms FROM recording_pin WHERE ref = ?').all(`case:${c.id}`);
    expect(pins).toEqual([{ start_ms: clip.start, end_ms: clip.end }]);

    const again = await as<{ pins: number }>(manager, 'cases.export', { id: c.id });
    expect(again.pins).toBe(0);
    const detail = await as<CaseDetail>(manager, 'cases.get', { id: c.id });
    expect(detail.exports).toHaveLength(2);
    const trail = await as<AuditEvent[]>(manager, 'audit.list', { entity: 'case', entityId: String(c.id) });
    expect(trail.filter((e) => e.action === 'case.export')).toHaveLength(2);
    expect((await fails(viewer, 'cases.export', { id: c.id })).code).toBe('forbidden');
  });
});
