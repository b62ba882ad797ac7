import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceMatch, FaceSubject } from '../../services/contract/commands/faces.js';
import { ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { photo } from './helpers.js';
import { RekognitionFake } from './rekognition-fake.js';

/** The Rekognition engine through the real @aws-sdk/client-rekognition against a loopback fake. */
let tc: TestCore;
const fake = new RekognitionFake();
let amy: FaceSubject;

beforeAll(async () => {
  const endpoint = await fake.listen();
  tc = await testCore();
  await tc.sys('onboarding.complete', ONBOARD);
  await tc.sys('faces.enable', { acknowledgeSignage: true });
  await tc.sys('settings.set', { key: 'faces.engine', value: 'rekognition' });
  await tc.sys('settings.set', { key: 'rekognition.region', value: 'us-east-1' });
  await tc.sys('settings.set', { key: 'rekognition.endpoint', value: endpoint });
});
afterAll(async () => {
  await tc?.close();
  await fake.close();
});

const setCredentials = async () => {
  await tc.sys('settings.set', { key: 'rekognition.accessKeyId', value: 'AKIDEXAMPLEFAKE01' });
  await tc.sys('settings.set', { key: 'rekognition.secretAccessKey', value: 'fake-secret-key-for-loopback-tests' });
  await tc.sys('settings.set', { key: 'rekognition.sessionToken', value: 'FwoGZXIvYXdzEFAKESESSIONTOKEN' });
};

describe('Amazon Rekognition engine', () => {
  it('names the missing settings before any call is made', async () => {
    const r = await tc.call('faces.search', { image: { path: photo('amy', 5) } }, { system: 'test' });
    expect(r.ok === false && r.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/rekognition\.accessKeyId, rekognition\.secretAccessKey are not set/) });
    expect(fake.calls).toHaveLength(0);
  });

  it('enrolls through CreateCollection and IndexFaces, signed with the configured credentials', async () => {
    await setCredentials();
    const r = await tc.sys<{ subject: FaceSubject; added: { templateId: number }[] }>('faces.enroll', {
      subject: { name: 'amy', consentNote: 'Rekognition test' },
      images: [1, 2].map((n) => ({ image: { path: photo('amy', n) } })),
    });
    amy = r.subject;
    expect(r.added).toHaveLength(2);
    expect(fake.ops()).toEqual(['DetectFaces', 'CreateCollection', 'IndexFaces', 'DetectFaces', 'IndexFaces']);
    const index = fake.calls.find((c) => c.op === 'IndexFaces')!;
    expect(index.body).toMatchObject({ CollectionId: 'penny-watchlist', MaxFaces: 1, QualityFilter: 'AUTO' });
    expect(String(index.headers.authorization)).toMatch(/Credential=AKIDEXAMPLEFAKE01\/\d{8}\/us-east-1\/rekognition\/aws4_request/);
    expect(index.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEFAKESESSIONTOKEN');
    const rows = tc.core.db.prepare('SELECT engine, external_id, descriptor FROM face_template WHERE subject_id = ?').all(amy.id) as { engine: string; external_id: string; descriptor: null }[];
    expect(rows.map((x) => x.engine)).toEqual(['rekognition', 'rekognition']);
    expect(rows.every((x) => fake.collections.get('penny-watchlist')!.has(x.external_id) && x.descriptor === null)).toBe(true);
  });

  it('searches each detected face with SearchFacesByImage and maps FaceIds back to subjects', async () => {
    const ids = [...fake.collections.get('penny-watchlist')!.keys()];
    fake.calls.length = 0;
    fake.nextMatches = [
      { faceId: ids[1]!, similarity: 99.31 },
      { faceId: ids[0]!, similarity: 98.7 },
      { faceId: 'ffffffff-0000-0000-0000-000000000000', similarity: 99.9 }, // unknown here: ignored
    ];
    const r = await tc.sys<{ faces: { quality: { ok: boolean; yawDeg: number }; matches: { subjectId: number; similarity: number; distance: number | null; templateId: number }[] }[] }>('faces.search', {
      image: { path: photo('amy', 5) },
    });
    expect(fake.ops()).toEqual(['DetectFaces', 'SearchFacesByImage']);
    expect(fake.calls[1]!.body).toMatchObject({ CollectionId: 'penny-watchlist', FaceMatchThreshold: 95 });
    expect(r.faces).toHaveLength(1);
    expect(r.faces[0]!.quality).toMatchObject({ ok: true, yawDeg: 4 });
    expect(r.faces[0]!.matches).toHaveLength(1);
    expect(r.faces[0]!.matches[0]).toMatchObject({ subjectId: amy.id, similarity: 99.3, distance: null });
  });

  it('raises a match from frames whose faces Rekognition matched', async () => {
    const ids = [...fake.collections.get('penny-watchlist')!.keys()];
    fake.nextMatches = [{ faceId: ids[0]!, similarity: 97.5 }];
    const r = await tc.sys<{ matches: FaceMatch[] }>('faces.check', { frames: [{ path: photo('amy', 5) }, { path: photo('amy', 3) }], cameraId: 2 });
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0]).toMatchObject({ subjectId: amy.id, similarity: 97.5, framesAgreeing: 2, distance: null });
    fake.nextMatches = [];
    const none = await tc.sys<{ matches: FaceMatch[] }>('faces.check', { frames: [{ path: photo('raj', 5) }], cameraId: 5 });
    expect(none.matches).toEqual([]);
  });

  it('shows expired credentials clearly, and erase changes nothing until it can delete the faces', async () => {
    fake.expired = true;
    const r = await tc.call('faces.search', { image: { path: photo('amy', 5) } }, { system: 'test' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('unavailable');
      expect(r.error.message).toBe('Amazon Rekognition refused DetectFaces: the security token in Settings has expired (ExpiredTokenException). Update the rekognition.* settings.');
      expect(r.error.details).toMatchObject({ awsError: 'ExpiredTokenException' });
    }
    const erase = await tc.call('faces.erase', { subjectId: amy.id }, { system: 'test' });
    expect(erase.ok === false && erase.error.message).toMatch(/refused DeleteFaces: the security token in Settings has expired/);
    expect((await tc.sys<FaceSubject[]>('faces.subjects', {})).map((s) => s.id)).toContain(amy.id);

    fake.expired = false;
    fake.calls.length = 0;
    const ok = await tc.sys<{ templatesRemoved: number }>('faces.erase', { subjectId: amy.id });
    expect(ok.templatesRemoved).toBe(2);
    expect(fake.ops()).toEqual(['DeleteFaces']);
    expect(fake.calls[0]!.body.FaceIds).toHaveLength(2);
    expect(fake.collections.get('penny-watchlist')!.size).toBe(0);
    expect(await tc.sys<FaceSubject[]>('faces.subjects', {})).toEqual([]);
  });
});
