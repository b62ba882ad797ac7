import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceMatch, FaceSubject } from '../../services/contract/commands/faces.js';
import { fakeClock, ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { group, IDENTITIES, photo, stillClip } from './helpers.js';

/**
 * The on-device engine end to end on real photos: one core (one model load) for the whole file.
 * 8 identities × 5 photos: photos 1–4 are enrolled, photo 5 is the probe.
 */
const clock = fakeClock();
let tc: TestCore;
const subjects = new Map<string, number>();
const events: { name: string; payload: any }[] = [];

interface SearchOut {
  searchId: number;
  faces: { index: number; quality: { ok: boolean; reasons: string[] }; matches: { subjectId: number; subjectName: string; similarity: number; distance: number | null; suppressed: boolean }[] }[];
}
interface CheckOut {
  searchId: number;
  framesTotal: number;
  required: number;
  candidates: { subjectId: number; framesAgreeing: number; suppressed: boolean }[];
  matches: FaceMatch[];
}

const search = (path: string) => tc.sys<SearchOut>('faces.search', { image: { path } });
const check = (paths: string[], cameraId?: number) => tc.sys<CheckOut>('faces.check', { frames: paths.map((path) => ({ path })), cameraId, trigger: 'snapshot' });
const auditRows = (action: string) => tc.core.db.prepare('SELECT * FROM audit_event WHERE action = ? ORDER BY id').all(action) as { entity_id: string; details: string; actor: string }[];

beforeAll(async () => {
  tc = await testCore({ clock });
  await tc.sys('onboarding.complete', ONBOARD);
  tc.core.events.subscribe((name, payload) => events.push({ name, payload }));
});
afterAll(async () => {
  await tc?.close();
});

describe('local face engine on real photos', () => {
  it('keeps biometrics off until an admin turns them on and acknowledges signage', async () => {
    const off = await tc.call('faces.search', { image: { path: photo('amy', 5) } }, { system: 'test' });
    expect(off.ok).toBe(false);
    if (!off.ok) {
      expect(off.error.code).toBe('forbidden');
      expect(off.error.message).toMatch(/Face search is off/);
    }
    const noAck = await tc.call('faces.enable', { acknowledgeSignage: false }, { system: 'test' });
    expect(noAck.ok).toBe(false);
    if (!noAck.ok) expect(noAck.error.message).toMatch(/signage/);
    const s = await tc.sys<{ enabled: boolean; signageAcknowledgedAt: number; engine: string }>('faces.enable', { acknowledgeSignage: true });
    expect(s).toMatchObject({ enabled: true, signageAcknowledgedAt: clock.now(), engine: 'local' });
    expect(auditRows('faces.enable')).toHaveLength(1);
  });

  it('enrolls four photos per identity and finds the right identity for the fifth, for all 8', async () => {
    expect(IDENTITIES).toHaveLength(8);
    for (const id of IDENTITIES) {
      const r = await tc.sys<{ subject: FaceSubject; added: unknown[]; rejected: { reason: string }[] }>('faces.enroll', {
        subject: { name: id, consentNote: 'Test fixture (MIT face-api.js examples).' },
        images: [1, 2, 3, 4].map((n) => ({ image: { path: photo(id, n) } })),
        sourceRef: 'test',
      });
      expect(r.rejected, `${id}: ${r.rejected.map((x) => x.reason).join('; ')}`).toEqual([]);
      expect(r.added).toHaveLength(4);
      expect(r.subject.expiresAt).toBe(clock.now() + 365 * 24 * 3600 * 1000);
      subjects.set(id, r.subject.id);
    }
    const wrong: string[] = [];
    for (const id of IDENTITIES) {
      const r = await search(photo(id, 5));
      const top = r.faces[0]?.matches[0];
      if (top?.subjectName !== id) wrong.push(`${id}5 → ${top ? `${top.subjectName} d=${top.distance}` : 'no match'}`);
      else expect(top.distance!).toBeLessThan(0.55);
    }
    expect(wrong).toEqual([]);
    const list = await tc.sys<FaceSubject[]>('faces.subjects', {});
    expect(list.map((s) => [s.name, s.templates])).toEqual(IDENTITIES.map((id) => [id, 4]));
    expect(list.every((s) => s.thumbnail && Buffer.from(s.thumbnail, 'base64')[0] === 0xff)).toBe(true);
  }, 120_000); // 40 WASM inferences on two shared cores

  it('finds several faces in each group shot, and the cast among them', async () => {
    const counts: number[] = [];
    const named = new Set<string>();
    for (const n of [1, 2, 3, 4, 5]) {
      const r = await search(group(n));
      counts.push(r.faces.length);
      for (const f of r.faces) if (f.matches[0]) named.add(f.matches[0].subjectName);
    }
    expect(counts.every((c) => c >= 2), `faces per group shot: ${counts.join(', ')}`).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(15);
    // The group shots are of the same cast as the identities.
    expect(named.size).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('raises a return-offender match when K of N frames agree, and shows it with both faces', async () => {
    events.length = 0;
    // K = 2 (default): two frames of howard and one of someone else.
    const r = await check([photo('howard', 5), photo('raj', 5), photo('howard', 5)], 7);
    expect(r.required).toBe(2);
    expect(r.matches).toHaveLength(1);
    const m = r.matches[0]!;
    expect(m).toMatchObject({ subjectId: subjects.get('howard'), subjectName: 'howard', framesAgreeing: 2, framesTotal: 3, cameraId: 7, status: 'open' });
    expect(m.similarity).toBeGreaterThan(40);
    expect(Buffer.from(m.probeThumbnail!, 'base64')[0]).toBe(0xff);
    expect(Buffer.from(m.subjectThumbnail!, 'base64')[0]).toBe(0xff);
    const ev = events.find((e) => e.name === 'faces.matched');
    expect(ev?.payload).toMatchObject({ matchId: m.id, subjectId: m.subjectId, cameraId: 7, framesAgreeing: 2 });
    expect(existsSync(ev!.payload.thumbnailPath)).toBe(true);
    // The alert went into the alerts outbox in the same transaction.
    const alert = tc.core.db.prepare("SELECT * FROM alert WHERE dedupe_key = ?").get(`face_match:${m.id}`) as { source: string; severity: string; title: string } | undefined;
    expect(alert).toMatchObject({ source: 'face', severity: 'high' });
    expect(alert!.title).toMatch(/howard/);
    const listed = await tc.sys<FaceMatch[]>('faces.matches', {});
    expect(listed[0]!.id).toBe(m.id);
    expect(auditRows('faces.match').map((a) => Number(a.entity_id))).toContain(m.id);
  });

  it('does not alert when no subject gets K of N frames (one lookalike frame each)', async () => {
    const r = await check([photo('leonard', 5), photo('penny', 5), photo('sheldon', 5)], 8);
    expect(r.candidates.length).toBeGreaterThanOrEqual(3);
    expect(r.candidates.every((c) => c.framesAgreeing === 1)).toBe(true);
    expect(r.matches).toEqual([]);
  });

  it('does not raise the same subject on the same camera twice within ten minutes', async () => {
    const again = await check([photo('howard', 5), photo('howard', 5)], 7);
    expect(again.candidates[0]).toMatchObject({ subjectId: subjects.get('howard'), framesAgreeing: 2 });
    expect(again.matches).toEqual([]);
    clock.advance(11 * 60 * 1000);
    const later = await check([photo('howard', 5), photo('howard', 5)], 7);
    expect(later.matches).toHaveLength(1);
  });

  it('"not this person" feedback suppresses that pairing in later checks', async () => {
    clock.advance(11 * 60 * 1000);
    const first = await check([photo('bernadette', 5), photo('bernadette', 5)], 9);
    expect(first.matches).toHaveLength(1);
    const reviewed = await tc.sys<FaceMatch>('faces.feedback', { matchId: first.matches[0]!.id, verdict: 'not_this_person' });
    expect(reviewed.status).toBe('not_this_person');
    clock.advance(11 * 60 * 1000);
    const again = await check([photo('bernadette', 5), photo('bernadette', 5)], 9);
    expect(again.candidates.find((c) => c.subjectId === subjects.get('bernadette'))).toMatchObject({ suppressed: true, framesAgreeing: 0 });
    expect(again.matches).toEqual([]);
    // Another photo of someone else still matches its own subject: only the pairing is suppressed.
    const s = await search(photo('amy', 5));
    expect(s.faces[0]!.matches[0]).toMatchObject({ subjectName: 'amy', suppressed: false });
  });

  it('checks frames sampled from a clip with ffmpeg', async () => {
    const clip = stillClip(photo('penny', 5), join(tc.dir, 'penny.mp4'));
    const r = await tc.sys<CheckOut>('faces.check', { video: { path: clip, frames: 4 }, trigger: 'clip', cameraId: 3, sourceRef: 'clip:test' });
    expect(r.framesTotal).toBe(4);
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0]).toMatchObject({ subjectName: 'penny', framesAgreeing: 4, framesTotal: 4, sourceRef: 'clip:test' });
  });

  it('checks a snapshot the cameras domain announces, in the background', async () => {
    const before = events.length;
    tc.core.events.emit('camera.snapshotTaken', { cameraId: 11, snapshotId: 501, reason: 'mqtt', path: photo('stuart', 5) });
    const deadline = Date.now() + 15_000;
    let ev: { payload: any } | undefined;
    while (!ev && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      ev = events.slice(before).find((e) => e.name === 'faces.matched');
    }
    expect(ev?.payload).toMatchObject({ subjectId: subjects.get('stuart'), cameraId: 11, framesTotal: 1 });
    const search = tc.core.db.prepare('SELECT * FROM face_search WHERE source_ref = ?').get('snapshot:501') as { actor: string; trigger: string };
    expect(search).toMatchObject({ actor: 'system:faces', trigger: 'snapshot' });
  });

  it('audits every search and keeps nothing of a probe that matched no one', async () => {
    const erased = await tc.sys<{ templatesRemoved: number; filesRemoved: number }>('faces.erase', { subjectId: subjects.get('raj') });
    expect(erased.templatesRemoved).toBe(4);
    const matchFiles = () => (existsSync(join(tc.dir, 'faces', 'matches')) ? readdirSync(join(tc.dir, 'faces', 'matches')).length : 0);
    const matchesBefore = (tc.core.db.prepare('SELECT COUNT(*) AS n FROM face_match').get() as { n: number }).n;
    const filesBefore = matchFiles();
    const r = await check([photo('raj', 5), photo('raj', 5)], 12);
    expect(r.matches).toEqual([]);
    expect(r.candidates.find((c) => c.subjectId === subjects.get('raj'))).toBeUndefined();
    expect((tc.core.db.prepare('SELECT COUNT(*) AS n FROM face_match').get() as { n: number }).n).toBe(matchesBefore);
    expect(matchFiles()).toBe(filesBefore);
    const row = tc.core.db.prepare('SELECT * FROM face_search WHERE id = ?').get(r.searchId) as Record<string, unknown>;
    expect(row).toMatchObject({ trigger: 'snapshot', faces_found: 2, camera_id: 12, actor: 'system:test' });
    expect(Object.keys(row).some((k) => /descriptor|thumb/.test(k))).toBe(false);
    const audit = auditRows('faces.search').find((a) => Number(a.entity_id) === r.searchId);
    expect(JSON.parse(audit!.details)).toMatchObject({ trigger: 'snapshot', cameraId: 12, facesFound: 2, matchedSubjects: [] });
  });

  it('erasing a subject removes its templates, thumbnails and matches everywhere', async () => {
    const id = subjects.get('howard')!;
    const thumbs = tc.core.db.prepare('SELECT thumbnail FROM face_template WHERE subject_id = ?').all(id) as { thumbnail: string }[];
    const probes = tc.core.db.prepare('SELECT probe_thumbnail FROM face_match WHERE subject_id = ?').all(id) as { probe_thumbnail: string }[];
    expect(thumbs.length).toBe(4);
    expect(probes.length).toBe(2);
    const r = await tc.sys<{ templatesRemoved: number; filesRemoved: number; matchesRemoved: number }>('faces.erase', { subjectId: id });
    expect(r).toEqual({ ok: true, templatesRemoved: 4, filesRemoved: 6, matchesRemoved: 2 });
    for (const f of [...thumbs.map((t) => t.thumbnail), ...probes.map((p) => p.probe_thumbnail)]) expect(existsSync(join(tc.dir, f))).toBe(false);
    expect(tc.core.db.prepare('SELECT COUNT(*) AS n FROM face_template WHERE subject_id = ?').get(id)).toEqual({ n: 0 });
    const s = await search(photo('howard', 5));
    expect(s.faces[0]!.matches.find((m) => m.subjectId === id)).toBeUndefined();
    expect(auditRows('faces.erase').length).toBe(2);
  });

  it('stops searching a subject once it expires', async () => {
    const id = subjects.get('leonard')!;
    await tc.sys('faces.subjectUpdate', { id, expiresAt: clock.now() + 1000 });
    clock.advance(2000);
    const s = await search(photo('leonard', 5));
    expect(s.faces[0]!.matches.find((m) => m.subjectId === id)).toBeUndefined();
    const listed = await tc.sys<FaceSubject[]>('faces.subjects', {});
    expect(listed.find((x) => x.id === id)).toBeUndefined();
    const all = await tc.sys<FaceSubject[]>('faces.subjects', { includeExpired: true });
    expect(all.find((x) => x.id === id)).toMatchObject({ expired: true });
  });

  it('refuses bad input with a message that names what was wrong', async () => {
    const missing = await tc.call('faces.search', { image: { path: '/nope/missing.jpg' } }, { system: 'test' });
    expect(missing.ok === false && missing.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/\/nope\/missing\.jpg does not exist/) });
    const txt = join(tc.dir, 'notes.txt');
    writeFileSync(txt, 'not a photo');
    const notImage = await tc.call('faces.search', { image: { path: txt } }, { system: 'test' });
    expect(notImage.ok === false && notImage.error.message).toMatch(/notes\.txt is not a JPEG or PNG/);
    // A plain grey picture has no face: enrolment refuses it and writes nothing.
    const blank = new PNG({ width: 200, height: 200 });
    blank.data.fill(120);
    const blankPath = join(tc.dir, 'blank.png');
    writeFileSync(blankPath, PNG.sync.write(blank));
    const subjectsBefore = (await tc.sys<FaceSubject[]>('faces.subjects', { includeExpired: true })).length;
    const noFace = await tc.call('faces.enroll', { subject: { name: 'Nobody', consentNote: 'x' }, images: [{ image: { path: blankPath } }] }, { system: 'test' });
    expect(noFace.ok === false && noFace.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/images\[0\]: no face found/) });
    expect((await tc.sys<FaceSubject[]>('faces.subjects', { includeExpired: true })).length).toBe(subjectsBefore);
    const badIndex = await tc.call('faces.enroll', { subjectId: subjects.get('amy'), images: [{ image: { path: photo('amy', 5) }, face: 3 }] }, { system: 'test' });
    expect(badIndex.ok === false && badIndex.error.message).toMatch(/face 3 asked for, but the image has 1 face/);
    const both = await tc.call('faces.enroll', { subjectId: 1, subject: { name: 'x', consentNote: 'y' }, images: [{ image: { path: blankPath } }] }, { system: 'test' });
    expect(both.ok === false && both.error.code).toBe('invalid_input');
  });
});
