import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveCase, rejectCase, redactOffender } from '../../services/network/server/offenders.js';
import { revokeStation } from '../../services/network/server/tenancy.js';
import { BACKENDS, faceVector, pairedStation, sha, startTestNetwork, type Station, type TestNetwork } from './helpers.js';

const DAY = 86_400_000;
const video = Buffer.alloc(300_000, 7);
const still = Buffer.from('fake-jpeg-bytes-'.repeat(100));

describe.each(BACKENDS)('network API on %s', (backend) => {
  let tn: TestNetwork;
  let a: Station;
  let b: Station;
  let far: Station;
  beforeAll(async () => {
    tn = await startTestNetwork(backend);
    a = await pairedStation(tn, 'Store A', 'North');
    b = await pairedStation(tn, 'Store B', 'North');
    far = await pairedStation(tn, 'Store C', 'South');
  });
  afterAll(async () => tn?.close());

  it('reports the database, migration version and vector mode on /health', async () => {
    const h = await (await fetch(`${tn.url}/health`)).json();
    expect(h).toMatchObject({ ok: true, db: backend, migrationVersion: 2 });
    // PGlite ships pgvector; the machine's PostgreSQL 15 has no vector package.
    expect(h.vectorSearch).toBe(backend === 'pglite' ? 'pgvector' : 'exact');
  });

  it('pairs once per code and rejects bad keys and revoked stations', async () => {
    expect(a.apiKey).toMatch(/^pk_/);
    const stored = await tn.server.net.db.selectFrom('stations').select('key_hash').where('id', '=', a.stationId).executeTakeFirstOrThrow();
    expect(stored.key_hash).toBe(sha(Buffer.from(a.apiKey)));
    const bad = await fetch(`${tn.url}/v1/ledger`, { headers: { authorization: 'Bearer pk_nope' } });
    expect(bad.status).toBe(401);
    const none = await fetch(`${tn.url}/v1/ledger`);
    expect((await none.json()).error.message).toMatch(/Authorization/);
    const tmp = await pairedStation(tn, 'Temp', 'North');
    expect((await tmp.call('GET', '/v1/ledger')).status).toBe(200);
    const sent = await tmp.sendCase([{ name: 'i.jpg', kind: 'image', mime: 'image/jpeg', data: still }]);
    await revokeStation(tn.server.net.db, tn.clock.now, 'test', tmp.stationId);
    const r = await tmp.call('GET', '/v1/ledger');
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/revoked/);
    // Case intake, which already knew this key, stops at once too, and writes nothing.
    const late = await tmp.call(
      'POST',
      '/v1/cases',
      { stationCaseRef: 'late', occurredAt: tn.clock.now, amountCents: 100, summary: 'x', evidence: [{ name: 'i.jpg', kind: 'image', mime: 'image/jpeg', size: still.length, sha256: sha(still) }] },
      { 'idempotency-key': 'after-revoke-1' },
    );
    expect(late.status).toBe(401);
    expect(late.body.error.message).toMatch(/revoked/);
    const cases = await tn.server.net.db.selectFrom('cases').select('id').where('station_id', '=', tmp.stationId).execute();
    expect(cases.map((c) => c.id)).toEqual([sent]);
  });

  it('rejects a reused pairing code', async () => {
    const { adminOps } = await import('../../services/network/server/admin.js');
    const code = await adminOps.pairCode(tn.server.net, { storeId: a.storeId });
    const first = await fetch(`${tn.url}/v1/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code, stationName: 'x' }) });
    expect(first.status).toBe(200);
    const again = await fetch(`${tn.url}/v1/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code, stationName: 'x' }) });
    expect(again.status).toBe(401);
    expect((await again.json()).error.message).toMatch(/already used/);
  });

  it('takes a case idempotently and names what is wrong in bad input', async () => {
    const body = {
      stationCaseRef: 'c-1',
      occurredAt: tn.clock.now - 1000,
      amountCents: 1250,
      summary: 'Walkout',
      evidence: [{ name: 'clip.mp4', kind: 'video', mime: 'video/mp4', size: video.length, sha256: sha(video) }],
    };
    const first = await a.call('POST', '/v1/cases', body, { 'idempotency-key': 'idem-key-0001' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'receiving', replayed: false, debtStatus: 'none' });
    const again = await a.call('POST', '/v1/cases', body, { 'idempotency-key': 'idem-key-0001' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, replayed: true });
    expect(again.body.evidence).toEqual(first.body.evidence);
    // One audit row for the case, not one per attempt.
    const received = await tn.server.net.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'case.received').where('entity_id', '=', first.body.id).execute();
    expect(received).toEqual([{ actor: `station:${a.stationId}`, details: { storeId: a.storeId, evidence: 1 } }]);
    const clash = await a.call('POST', '/v1/cases', { ...body, amountCents: 99 }, { 'idempotency-key': 'idem-key-0001' });
    expect(clash.status).toBe(409);
    // The same key at another store is that store's own key.
    const other = await b.call('POST', '/v1/cases', body, { 'idempotency-key': 'idem-key-0001' });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);

    const noKey = await a.call('POST', '/v1/cases', body);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.message).toMatch(/Idempotency-Key/);
    const badSha = await a.call('POST', '/v1/cases', { ...body, evidence: [{ ...body.evidence[0], sha256: 'xyz' }] }, { 'idempotency-key': 'idem-key-0002' });
    expect(badSha.status).toBe(400);
    expect(badSha.body.error.message).toContain('evidence.0.sha256');
    const badJson = await fetch(`${tn.url}/v1/cases`, { method: 'POST', headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json', 'idempotency-key': 'idem-key-0003' }, body: '{"stationCaseRef":' });
    expect(badJson.status).toBe(400);
    const count = await tn.server.net.db.selectFrom('cases').select((e) => e.fn.countAll<number>().as('n')).where('store_id', '=', a.storeId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('resumes a chunked upload and checks SHA-256 against the manifest', async () => {
    const r = await a.call('POST', '/v1/cases', {
      stationCaseRef: 'c-2', occurredAt: tn.clock.now, amountCents: 500, summary: 'x',
      evidence: [
        { name: 'a.mp4', kind: 'video', mime: 'video/mp4', size: video.length, sha256: sha(video) },
        { name: 'b.jpg', kind: 'image', mime: 'image/jpeg', size: still.length, sha256: sha(Buffer.from('something else')) },
      ],
    }, { 'idempotency-key': 'idem-upload-1' });
    const [ev1, ev2] = r.body.evidence;
    const path = `/v1/cases/${r.body.id}/evidence/${ev1.id}`;
    expect((await a.put(`${path}?offset=0`, video.subarray(0, 100_000))).status).toBe(200);
    // A resumed station asks where to continue; a wrong offset is refused with the right one.
    const where = await a.call('GET', path);
    expect(where.body).toMatchObject({ receivedBytes: 100_000, complete: false });
    const wrong = await a.put(`${path}?offset=0`, video.subarray(0, 100));
    expect(wrong.status).toBe(409);
    expect((await wrong.json()).error.details.expectedOffset).toBe(100_000);
    const tooLong = await a.put(`${path}?offset=100000`, Buffer.alloc(250_000));
    expect(tooLong.status).toBe(400);
    const done = await a.put(`${path}?offset=100000`, video.subarray(100_000));
    expect(await done.json()).toMatchObject({ complete: true, receivedBytes: video.length });
    // b.jpg's bytes do not match its manifest hash: discarded, case stays incomplete.
    const mism = await a.put(`/v1/cases/${r.body.id}/evidence/${ev2.id}?offset=0`, still);
    expect(mism.status).toBe(400);
    expect((await mism.json()).error.message).toMatch(/SHA-256 of "b.jpg"/);
    const st = await a.call('GET', `/v1/cases/${r.body.id}/status`);
    expect(st.body.status).toBe('receiving');
    expect(st.body.evidence[1]).toMatchObject({ receivedBytes: 0, complete: false });
  });

  it('keeps every store to its own cases, evidence, debts and ledger', async () => {
    const caseA = await a.sendCase([{ name: 'v.mp4', kind: 'video', mime: 'video/mp4', data: video }], { amountCents: 4000 });
    await approveCase(tn.server.net, 'usr_ops', caseA, null, '');
    const notice = await a.call('POST', '/v1/notices', { caseId: caseA });
    expect(notice.status).toBe(201);
    expect(notice.body.qrSvg).toContain('<svg');
    const evA = (await a.call('GET', `/v1/cases/${caseA}/status`)).body.evidence[0].id;

    expect((await b.call('GET', `/v1/cases/${caseA}/status`)).status).toBe(404);
    expect((await b.call('GET', `/v1/cases/${caseA}/evidence/${evA}`)).status).toBe(404);
    expect((await b.put(`/v1/cases/${caseA}/evidence/${evA}?offset=0`, Buffer.from('x'))).status).toBe(404);
    expect((await b.call('POST', '/v1/notices', { caseId: caseA })).status).toBe(404);
    const ledgerA = await a.call('GET', '/v1/ledger');
    const ledgerB = await b.call('GET', '/v1/ledger');
    expect(ledgerA.body.debts).toEqual([{ caseId: caseA, amountCents: 4000, status: 'open' }]);
    expect(ledgerB.body.storeId).toBe(b.storeId);
    expect(ledgerB.body.debts.find((d: { caseId: string }) => d.caseId === caseA)).toBeUndefined();
    expect(ledgerB.body.entries).toEqual([]);
  });

  it('promotes after confirmations from two stores, feeds watchlist deltas by region, expires and redacts', async () => {
    const face = faceVector(42);
    const c1 = await a.sendCase([{ name: 'i.jpg', kind: 'image', mime: 'image/jpeg', data: still }], { faceTemplates: [face] });
    const r1 = await approveCase(tn.server.net, 'usr_ops', c1, null, '');
    expect(r1.promoted).toBe(false);
    const before = await a.call('GET', '/v1/watchlist?cursor=0');
    expect(before.body.changes.filter((c: { offenderId: string }) => c.offenderId === r1.offenderId)).toEqual([]);

    // The same person at store B: the face suggestion finds the first profile.
    const c2 = await b.sendCase([{ name: 'i.jpg', kind: 'image', mime: 'image/jpeg', data: still }], { faceTemplates: [faceVector(42, 0.01)] });
    const { suggestLinks } = await import('../../services/network/server/offenders.js');
    const sugg = await suggestLinks(tn.server.net, c2);
    expect(sugg[0]?.offenderId).toBe(r1.offenderId);
    const r2 = await approveCase(tn.server.net, 'usr_ops', c2, r1.offenderId, 'same person');
    expect(r2).toMatchObject({ promoted: true, offenderId: r1.offenderId });

    const feed = await a.call('GET', '/v1/watchlist?cursor=0');
    const up = feed.body.changes.find((c: { offenderId: string; kind: string }) => c.offenderId === r1.offenderId && c.kind === 'upsert');
    expect(up.templates).toHaveLength(2);
    expect(up.templates[0].vector[0]).toBeCloseTo(face[0]!, 5);
    const alerts = await b.call('GET', '/v1/alerts?cursor=0');
    expect(alerts.body.alerts.map((x: { kind: string }) => x.kind)).toContain('promoted');
    // Another region sees nothing of it.
    expect((await far.call('GET', '/v1/watchlist?cursor=0')).body.changes).toEqual([]);
    expect((await far.call('GET', '/v1/alerts?cursor=0')).body.alerts).toEqual([]);

    // Expiry: a year later the entry leaves the watchlist as a delta.
    const cursor = feed.body.cursor;
    tn.clock.advance(366 * DAY);
    const later = await a.call('GET', `/v1/watchlist?cursor=${cursor}`);
    expect(later.body.changes).toEqual([expect.objectContaining({ kind: 'remove', offenderId: r1.offenderId, reason: 'expired' })]);
    expect((await a.call('GET', `/v1/watchlist?cursor=${later.body.cursor}`)).body.changes).toEqual([]);

    await redactOffender(tn.server.net, 'usr_ops', r1.offenderId);
    const left = await tn.server.net.db.selectFrom('face_templates').select('id').where('offender_id', '=', r1.offenderId).execute();
    expect(left).toEqual([]);
    tn.clock.advance(-366 * DAY);
  });

  it('rejects need a reason and do not join the network', async () => {
    const c = await a.sendCase([{ name: 'i.jpg', kind: 'image', mime: 'image/jpeg', data: still }]);
    await expect(rejectCase(tn.server.net, 'usr_ops', c, '  ')).rejects.toThrow(/reason/);
    await rejectCase(tn.server.net, 'usr_ops', c, 'Not the same person');
    const st = await a.call('GET', `/v1/cases/${c}/status`);
    expect(st.body).toMatchObject({ status: 'rejected', reviewReason: 'Not the same person', offenderId: null });
    expect((await a.call('POST', '/v1/notices', { caseId: c })).status).toBe(409);
    await expect(approveCase(tn.server.net, 'usr_ops', c, null, '')).rejects.toThrow(/not waiting for review/);
  });

  it('takes support requests', async () => {
    const r = await a.call('POST', '/v1/support', { topic: 'sync', message: 'Uploads are slow' });
    expect(r.status).toBe(201);
    const bad = await a.call('POST', '/v1/support', { topic: 'weather', message: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('topic');
  });
});
