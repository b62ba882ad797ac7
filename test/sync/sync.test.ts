import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOps } from '../../services/network/server/admin.js';
import { approveCase, redactOffender, rejectCase } from '../../services/network/server/offenders.js';
import { setSetting } from '../../services/network/server/settings.js';
import { revokeStation } from '../../services/network/server/tenancy.js';
import { ONBOARD, testCore, type TestCore } from '../helpers/core.js';
import { makeConfirmedCases, networkView, sha, startNetwork, startProxy, type TestNet } from './helpers.js';

type Status = { paired: boolean; connection: string; message: string; pending: number; counts: Record<string, number>; cursors: Record<string, number>; lastError: string | null };
type Run = { pushed: number; failed: number; errors: string[]; pending: number; connection: string; pulled: { watchlistChanges: number; alerts: number; decisions: number; ledger: boolean } };
type Entry = { id: number; caseId: number; revision: number; status: string; networkCaseId: string | null; lastError: string | null; decisionReason: string | null };

/** Runs sync until nothing waits (each run resumes where the last stopped). */
async function syncUntilDone(tc: TestCore, maxRuns = 60) {
  let runs = 0;
  for (; runs < maxRuns; runs++) {
    const r = await tc.sys<Run>('sync.run', { push: true });
    if (r.pending === 0) return runs + 1;
  }
  throw new Error(`still ${(await tc.sys<Status>('sync.status')).pending} pending after ${maxRuns} runs`);
}

async function opsId(tn: TestNet) {
  const email = `ops-${Math.random().toString(36).slice(2)}@example.test`;
  await adminOps.opsUserAdd(tn.net, { email, password: 'correct horse battery' });
  return (await tn.net.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

describe('sync with the Penny Network', () => {
  let tn: TestNet;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let tc: TestCore;
  let storeId: string;
  let regionId: string;

  beforeAll(async () => {
    tn = await startNetwork();
    proxy = await startProxy(() => tn.port);
    tc = await testCore();
    await tc.sys('onboarding.complete', ONBOARD);
    await tc.sys('settings.set', { key: 'sync.chunkKb', value: 16 });
  }, 60_000);
  afterAll(async () => {
    await tc?.close();
    await proxy?.close();
    await tn?.destroy();
  });

  it('says plainly when it is not paired, and refuses a bad pairing code', async () => {
    const s = await tc.sys<Status>('sync.status');
    expect(s).toMatchObject({ paired: false, connection: 'unpaired' });
    expect(s.message).toMatch(/Not paired/);
    const r = await tc.call('sync.run', {}, { system: 'test' });
    expect(r.ok).toBe(false);
    const bad = await tc.call('sync.pair', { url: proxy.url, code: 'ZZZZZZZZZZ' }, { system: 'test' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/pairing code is not valid/);
  });

  it('pairs with a one-time code and keeps the API key sealed', async () => {
    const p = await tn.pairCode();
    storeId = p.storeId;
    regionId = p.regionId;
    const s = await tc.sys<Status & { storeId: string }>('sync.pair', { url: proxy.url, code: p.code });
    expect(s).toMatchObject({ paired: true, storeId: p.storeId });
    const row = tc.core.db.prepare('SELECT api_key_sealed FROM sync_pairing').get() as { api_key_sealed: string };
    expect(row.api_key_sealed).toMatch(/^v1:/);
    expect(row.api_key_sealed).not.toMatch(/pk_/);
  });

  it('sends every confirmed case exactly once with all evidence, though connections are cut mid-upload again and again', async () => {
    // Each connection dies after ~40 KB upstream: every clip (60 KB in 16 KB chunks) is cut at least once.
    proxy.set({ kind: 'cutAfter', bytes: 40_000 });
    const cutsBefore = proxy.stats.cut;
    // Confirming queues the case and starts a push on its own; the proxy is already cutting.
    const { caseIds, clips } = await makeConfirmedCases(tc, 8, 60_000);
    await syncUntilDone(tc);
    proxy.set({ kind: 'pass' });
    expect(proxy.stats.cut - cutsBefore).toBeGreaterThan(5);
    const v = await networkView(tn, storeId);
    expect(v.cases.map((c) => c.station_case_ref).sort()).toEqual(caseIds.map((id) => `case-${id}`).sort());
    expect(v.evidence).toHaveLength(16); // a clip and case.json per case
    expect(v.complete).toBe(16);
    expect(v.allHashesVerify).toBe(true);
    for (const [name, data] of clips) expect(v.evidence.find((e) => e.name === name)?.sha256).toBe(sha(data));
    const entries = await tc.sys<Entry[]>('sync.outbox', {});
    expect(entries.every((e) => e.status === 'sent')).toBe(true);
  }, 120_000);

  it('absorbs a request the network applied whose response was lost', async () => {
    proxy.set({ kind: 'loseResponse' });
    const { caseIds } = await makeConfirmedCases(tc, 1, 2000, Date.UTC(2026, 0, 6, 15, 0));
    const r = await tc.sys<Run>('sync.run', { push: true });
    expect(r.pending).toBe(1);
    expect(r.connection).toBe('offline');
    const applied = await networkView(tn, storeId);
    expect(applied.cases.filter((c) => c.station_case_ref === `case-${caseIds[0]}`)).toHaveLength(1);
    proxy.set({ kind: 'pass' });
    await syncUntilDone(tc);
    const v = await networkView(tn, storeId);
    expect(v.cases.filter((c) => c.station_case_ref === `case-${caseIds[0]}`)).toHaveLength(1);
    expect(v.allHashesVerify).toBe(true);
  }, 60_000);

  it('completes when the network server restarts mid-sync', async () => {
    proxy.set({ kind: 'slow', delayMs: 20 });
    await makeConfirmedCases(tc, 4, 64_000, Date.UTC(2026, 0, 7, 15, 0));
    const running = tc.sys<Run>('sync.run', { push: true });
    await new Promise((r) => setTimeout(r, 300));
    await tn.close();
    proxy.cutAll();
    const first = await running;
    expect(first.pending).toBeGreaterThan(0);
    const again = await startNetwork(tn.dir, tn.port);
    Object.assign(tn, again);
    proxy.set({ kind: 'pass' });
    await syncUntilDone(tc);
    const v = await networkView(tn, storeId);
    expect(v.cases).toHaveLength(13);
    expect(v.complete).toBe(26);
    expect(v.allHashesVerify).toBe(true);
  }, 120_000);

  it('sends a case edited after sending as a new revision', async () => {
    const [first] = await tc.sys<Entry[]>('sync.outbox', { status: 'sent', limit: 1 });
    await tc.sys('cases.note', { id: first!.caseId, text: 'Second camera angle reviewed; same person.' });
    const entries = (await tc.sys<Entry[]>('sync.outbox', {})).filter((e) => e.caseId === first!.caseId);
    expect(entries.map((e) => e.revision).sort()).toEqual([1, 2]);
    await syncUntilDone(tc);
    const v = await networkView(tn, storeId);
    expect(v.cases.map((c) => c.station_case_ref)).toContain(`case-${first!.caseId}-r2`);
    expect(v.cases.filter((c) => c.station_case_ref === `case-${first!.caseId}`)).toHaveLength(1);
  }, 60_000);

  it('pulls Ops decisions, makes a notice with a QR code, and reads the ledger', async () => {
    const ops = await opsId(tn);
    const sent = await tc.sys<Entry[]>('sync.outbox', { status: 'sent' });
    const a = sent[0]!;
    const b = sent.find((e) => e.caseId !== a.caseId)!;
    await approveCase(tn.net, ops, a!.networkCaseId!, null, 'Clear on video');
    await rejectCase(tn.net, ops, b!.networkCaseId!, 'Customer was refunded legitimately');
    const r = await tc.sys<Run>('sync.run', { pull: true });
    expect(r.pulled.decisions).toBe(2);
    const after = await tc.sys<Entry[]>('sync.outbox', {});
    expect(after.find((e) => e.id === a!.id)?.status).toBe('accepted');
    expect(after.find((e) => e.id === b!.id)).toMatchObject({ status: 'rejected', decisionReason: 'Customer was refunded legitimately' });
    const n = await tc.sys<{ url: string; qrSvg: string }>('sync.notice', { caseId: a!.caseId });
    expect(n.qrSvg).toMatch(/<svg/);
    const rejectedNotice = await tc.call('sync.notice', { caseId: b!.caseId }, { system: 'test' });
    expect(rejectedNotice.ok).toBe(false);
    const rec = await tc.sys<{ notices: unknown[]; debts: { status: string }[]; approved: unknown[] }>('sync.recovery', {});
    expect(rec.notices).toHaveLength(1);
    expect(rec.debts).toEqual([expect.objectContaining({ status: 'open' })]);
  }, 60_000);

  it('applies watchlist promotions and removals, and raises return alerts', async () => {
    await setSetting(tn.net.db, Date.now(), 'test', 'promote_confirms', 1);
    // Another store of the same region sends a case with a face template; Ops approves it.
    const other = await tn.pairCode('Store B', 'North');
    const pr = await (await fetch(`${tn.url}/v1/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: other.code, stationName: 'B' }) })).json();
    const data = Buffer.from('evidence');
    const post = async (key: string) =>
      (await fetch(`${tn.url}/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pr.apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ stationCaseRef: key, occurredAt: Date.now() - 1000, amountCents: 500, summary: 'walkout', evidence: [{ name: 'a.mp4', kind: 'video', mime: 'video/mp4', size: data.length, sha256: sha(data) }], faceTemplates: [Array.from({ length: 128 }, (_, i) => Math.sin(i))] }),
      }).then((x) => x.json())) as { id: string; evidence: { id: string }[] };
    const c1 = await post('other-store-case-1');
    await fetch(`${tn.url}/v1/cases/${c1.id}/evidence/${c1.evidence[0]!.id}?offset=0`, { method: 'PUT', headers: { authorization: `Bearer ${pr.apiKey}`, 'content-type': 'application/octet-stream' }, body: data });
    const ops = await opsId(tn);
    const ap = await approveCase(tn.net, ops, c1.id, null, 'seen');
    expect(ap.promoted).toBe(true);
    const c2 = await post('other-store-case-2');
    await fetch(`${tn.url}/v1/cases/${c2.id}/evidence/${c2.evidence[0]!.id}?offset=0`, { method: 'PUT', headers: { authorization: `Bearer ${pr.apiKey}`, 'content-type': 'application/octet-stream' }, body: data });
    await approveCase(tn.net, ops, c2.id, ap.offenderId, 'same person');

    const r = await tc.sys<Run>('sync.run', { pull: true });
    expect(r.pulled.alerts).toBe(2);
    const net1 = await tc.sys<{ offenders: { offenderId: string; templates: number }[]; alerts: { kind: string; alertId: number | null }[] }>('sync.network', {});
    expect(net1.offenders).toEqual([expect.objectContaining({ offenderId: ap.offenderId, templates: 2 })]);
    expect(net1.alerts.map((a) => a.kind).sort()).toEqual(['promoted', 'returned']);
    const local = tc.core.db.prepare("SELECT COUNT(*) FROM alert WHERE source = 'sync' AND type = 'network_return'").pluck().get();
    expect(local).toBe(1);
    // Pulling again changes nothing: one cursor per feed.
    const again = await tc.sys<Run>('sync.run', { pull: true });
    expect(again.pulled).toMatchObject({ alerts: 0, watchlistChanges: 0 });

    await redactOffender(tn.net, ops, ap.offenderId);
    await tc.sys<Run>('sync.run', { pull: true });
    const net2 = await tc.sys<{ offenders: unknown[] }>('sync.network', {});
    expect(net2.offenders).toEqual([]);
    expect(tc.core.db.prepare('SELECT COUNT(*) FROM sync_watch_template').pluck().get()).toBe(0);
    void regionId;
  }, 60_000);

  it('says so plainly when the network revokes the station, and keeps the cases', async () => {
    const s = await tc.sys<{ stationId: string }>('sync.status');
    await revokeStation(tn.net.db, Date.now(), 'test', s.stationId);
    await makeConfirmedCases(tc, 1, 1000, Date.UTC(2026, 0, 8, 15, 0));
    const r = await tc.sys<Run>('sync.run', {});
    expect(r.connection).toBe('revoked');
    expect(r.pending).toBe(1);
    const st = await tc.sys<Status>('sync.status');
    expect(st.message).toMatch(/no longer accepts this station/);
    expect(st.message).toMatch(/revoked/);
  }, 60_000);
});
