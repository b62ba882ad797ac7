import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveCase } from '../../services/network/server/offenders.js';
import { consumeNotice, openDispute, resolveDispute, startCheckout } from '../../services/network/server/recovery.js';
import { setSetting } from '../../services/network/server/settings.js';
import { createUser } from '../../services/network/server/users.js';
import { BACKENDS, pairedStation, startTestNetwork, type Station, type TestNetwork } from './helpers.js';

const img = Buffer.from('jpeg-ish'.repeat(64));

describe.each(BACKENDS)('recovery, Stripe and ledger on %s', (backend) => {
  let tn: TestNetwork;
  let a: Station;
  let b: Station;
  beforeAll(async () => {
    tn = await startTestNetwork(backend);
    a = await pairedStation(tn, 'Store A', 'East');
    b = await pairedStation(tn, 'Store B', 'East');
  });
  afterAll(async () => tn?.close());

  /** Approved case at `st` → notice → a subject account that consumed the token. */
  async function personWithDebt(st: Station, amountCents: number, email: string) {
    const caseId = await st.sendCase([{ name: 'p.jpg', kind: 'image', mime: 'image/jpeg', data: img }], { amountCents });
    await approveCase(tn.server.net, 'usr_ops', caseId, null, '');
    const notice = (await st.call('POST', '/v1/notices', { caseId })).body;
    const token = notice.url.split('/r/')[1];
    const net = tn.server.net;
    const user = await net.db.transaction().execute(async (trx) => {
      const u = await createUser(trx, net.now(), 'test', { email, password: 'a long password 1', role: 'subject' });
      const offenderId = await consumeNotice(trx, net.now(), token, u);
      return { ...u, offender_id: offenderId };
    });
    return { caseId, token, user, notice };
  }
  const debtsOf = (offenderId: string) => tn.server.net.db.selectFrom('debts').select(['status', 'amount_cents']).where('offender_id', '=', offenderId).execute();

  it('notice tokens are single-use and expire', async () => {
    const { token, notice } = await personWithDebt(a, 1000, 'once@example.test');
    expect(notice.expiresAt - tn.clock.now).toBe(14 * 86_400_000);
    expect((await fetch(`${tn.url}/r/${token}`)).status).toBe(410);
    expect((await fetch(`${tn.url}/r/not-a-token`)).status).toBe(404);
    const caseId = await a.sendCase([{ name: 'p.jpg', kind: 'image', mime: 'image/jpeg', data: img }]);
    await approveCase(tn.server.net, 'usr_ops', caseId, null, '');
    const fresh = (await a.call('POST', '/v1/notices', { caseId })).body;
    expect((await fetch(fresh.url)).status).toBe(200);
    tn.clock.advance(15 * 86_400_000);
    const expired = await fetch(fresh.url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
    tn.clock.advance(-15 * 86_400_000);
  });

  it('pays the full debt through Checkout; the webhook marks it paid and writes the ledger once', async () => {
    const p = await personWithDebt(a, 2500, 'payer@example.test');
    const c = await startCheckout(tn.server.net, p.user);
    expect(c.amountCents).toBe(2500);
    const session = [...tn.stripe.sessions.values()].find((s) => s.metadata.paymentId === c.paymentId)!;
    expect(session).toMatchObject({ amount_total: 2500, currency: 'usd', mode: 'payment' });
    expect(tn.stripe.requests.some((r) => r.path === '/v1/checkout/sessions' && r.auth === 'Bearer sk_test_fake')).toBe(true);

    // Wrong secret: refused, nothing changes.
    session.payment_status = 'paid';
    const ev = tn.stripe.event('checkout.session.completed', session);
    const forged = await tn.stripe.deliver(ev.payload, 'whsec_wrong_secret_xxxxxxxxxxxxxxxx');
    expect(forged.status).toBe(400);
    expect((await forged.json()).error.message).toMatch(/signature/);
    expect((await debtsOf(p.user.offender_id!))[0]!.status).toBe('open');
    // Tampered body under a valid header: refused.
    const tampered = await fetch(tn.stripe.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': tn.stripe.sign(ev.payload) }, body: ev.payload.replace('2500', '1') });
    expect(tampered.status).toBe(400);

    const ok = await tn.stripe.deliver(ev.payload);
    expect(await ok.json()).toMatchObject({ outcome: 'paid' });
    const replay = await tn.stripe.deliver(ev.payload);
    expect(await replay.json()).toMatchObject({ outcome: 'duplicate' });
    // Out of order: an expiry after completion, and a second completion under a new event id, change nothing.
    const late = await tn.stripe.deliver(tn.stripe.event('checkout.session.expired', { ...session, status: 'expired' }).payload);
    expect(await late.json()).toMatchObject({ outcome: 'already_paid' });
    const again = await tn.stripe.deliver(tn.stripe.event('checkout.session.async_payment_succeeded', session).payload);
    expect(await again.json()).toMatchObject({ outcome: 'already_paid' });

    expect(await debtsOf(p.user.offender_id!)).toEqual([{ status: 'paid', amount_cents: 2500 }]);
    const ledger = (await a.call('GET', '/v1/ledger')).body;
    const entry = ledger.entries.find((e: { caseId: string }) => e.caseId === p.caseId);
    expect(entry).toMatchObject({ grossCents: 2500, rateBps: 1000, networkShareCents: 250, storeShareCents: 2250 });
    expect(ledger.entries.filter((e: { caseId: string }) => e.caseId === p.caseId)).toHaveLength(1);
    expect((await b.call('GET', '/v1/ledger')).body.entries).toEqual([]);
    const pay = await tn.server.net.db.selectFrom('payments').selectAll().where('id', '=', c.paymentId).executeTakeFirstOrThrow();
    expect(pay.receipt_number).toMatch(/^R-\d{8}-/);
    const notes = await tn.server.net.db.selectFrom('notifications').select(['audience', 'store_id']).where('kind', 'in', ['payment.received', 'payment.receipt']).execute();
    expect(notes.map((n) => n.audience).sort()).toEqual(['ops', 'store', 'subject']);
    expect(notes.find((n) => n.audience === 'store')!.store_id).toBe(a.storeId);
    await expect(startCheckout(tn.server.net, p.user)).rejects.toThrow(/nothing to pay/);
  });

  it('uses the commission rate from the network settings and checks the amount', async () => {
    await setSetting(tn.server.net.db, tn.clock.now, 'test', 'commission_rate_bps', 1500);
    await expect(setSetting(tn.server.net.db, tn.clock.now, 'test', 'commission_rate_bps', 20_000)).rejects.toThrow(/commission_rate_bps/);
    const p = await personWithDebt(b, 999, 'rate@example.test');
    const c = await startCheckout(tn.server.net, p.user);
    const session = [...tn.stripe.sessions.values()].find((s) => s.metadata.paymentId === c.paymentId)!;
    // A completion for a different amount is held for Ops, not booked.
    const wrongAmount = await tn.stripe.deliver(tn.stripe.event('checkout.session.completed', { ...session, payment_status: 'paid', amount_total: 1 }).payload);
    expect(await wrongAmount.json()).toMatchObject({ outcome: 'amount_mismatch' });
    expect((await debtsOf(p.user.offender_id!))[0]!.status).toBe('open');
    const unpaid = await tn.stripe.deliver(tn.stripe.event('checkout.session.completed', session).payload);
    expect(await unpaid.json()).toMatchObject({ outcome: 'awaiting_payment' });
    await tn.stripe.complete(session.id);
    const entry = (await b.call('GET', '/v1/ledger')).body.entries.find((e: { caseId: string }) => e.caseId === p.caseId);
    expect(entry).toMatchObject({ grossCents: 999, rateBps: 1500, networkShareCents: 150, storeShareCents: 849 });
    await setSetting(tn.server.net.db, tn.clock.now, 'test', 'commission_rate_bps', 1000);
  });

  it('a dispute pauses collection until Ops resolves it', async () => {
    const p = await personWithDebt(a, 3000, 'dispute@example.test');
    await expect(openDispute(tn.server.net, p.user, 'short', [])).rejects.toThrow(/at least 10/);
    await expect(openDispute(tn.server.net, p.user, 'That was not me, I was at work.', [{ name: 'x.exe', mime: 'application/x-msdownload', data: Buffer.from('MZ') }])).rejects.toThrow(/x.exe/);
    const d = await openDispute(tn.server.net, p.user, 'That was not me, I was at work.', [{ name: 'timesheet.pdf', mime: 'application/pdf', data: Buffer.from('%PDF-1.4 test') }]);
    expect((await debtsOf(p.user.offender_id!))[0]!.status).toBe('disputed');
    await expect(startCheckout(tn.server.net, p.user)).rejects.toThrow(/paused/);
    expect((await a.call('GET', `/v1/cases/${p.caseId}/status`)).body.debtStatus).toBe('disputed');
    await resolveDispute(tn.server.net, 'usr_ops', d.disputeId, 'rejected', 'The video clearly shows the person.');
    expect((await debtsOf(p.user.offender_id!))[0]!.status).toBe('open');
    await expect(resolveDispute(tn.server.net, 'usr_ops', d.disputeId, 'upheld', 'x')).rejects.toThrow(/already/);
    const subjectNote = await tn.server.net.db.selectFrom('notifications').select('message').where('user_id', '=', p.user.id).where('kind', '=', 'dispute.rejected').executeTakeFirst();
    expect(subjectNote?.message).toContain('clearly shows');
    const d2 = await openDispute(tn.server.net, p.user, 'I have a receipt for these items.', []);
    await resolveDispute(tn.server.net, 'usr_ops', d2.disputeId, 'upheld', 'The receipt matches.');
    expect((await debtsOf(p.user.offender_id!))[0]!.status).toBe('void');
  });
});
