import QRCode from 'qrcode';
import type Stripe from 'stripe';
import { PennyError } from '../../contract/errors.js';
import { audit, type Db, type Net } from './context.js';
import { getSettings } from './settings.js';
import type { StationAuth } from './tenancy.js';
import { DAY_MS, newId, randomToken, sha256Hex } from './util.js';

async function notify(db: Db, now: number, n: { audience: 'store' | 'ops' | 'subject'; storeId?: string | null; userId?: string | null; kind: string; message: string }) {
  await db.insertInto('notifications').values({ id: newId('ntf'), audience: n.audience, store_id: n.storeId ?? null, user_id: n.userId ?? null, kind: n.kind, message: n.message, created_at: now }).execute();
}

/** A notice link (and its QR code) for an approved case of the calling store; opens the debt. */
export async function createNotice(net: Net, st: StationAuth, caseId: string) {
  const now = net.now();
  const s = await getSettings(net.db);
  const token = randomToken(32);
  const out = await net.db.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('cases').selectAll().where('id', '=', caseId).where('store_id', '=', st.storeId).forUpdate().executeTakeFirst();
    if (!c) throw new PennyError('not_found', `no case ${caseId} for this store`, { field: 'caseId' });
    if (c.status !== 'approved' || !c.offender_id) throw new PennyError('conflict', `case ${caseId} is ${c.status.replace('_', ' ')}; a notice needs a case approved by Penny Ops`);
    if (c.amount_cents <= 0) throw new PennyError('conflict', `case ${caseId} has no amount owed`);
    const debt = await trx.selectFrom('debts').select(['id', 'status']).where('case_id', '=', caseId).executeTakeFirst();
    if (!debt) {
      await trx.insertInto('debts').values({ id: newId('debt'), case_id: caseId, store_id: st.storeId, offender_id: c.offender_id, amount_cents: c.amount_cents, status: 'open', payment_id: null, paid_at: null, created_at: now }).execute();
    } else if (debt.status === 'paid' || debt.status === 'void') {
      throw new PennyError('conflict', `the debt for case ${caseId} is already ${debt.status}`);
    }
    const id = newId('ntc');
    const expiresAt = now + s.notice_ttl_days * DAY_MS;
    await trx.insertInto('notices').values({ id, case_id: caseId, store_id: st.storeId, offender_id: c.offender_id, token_hash: sha256Hex(token), expires_at: expiresAt, consumed_at: null, consumed_by: null, created_at: now }).execute();
    await audit(trx, now, `station:${st.stationId}`, 'notice.created', 'notice', id, { caseId });
    return { noticeId: id, caseId, expiresAt };
  });
  const url = `${net.publicUrl()}/r/${token}`;
  return { ...out, url, qrSvg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
}

export async function peekNotice(net: Net, token: string) {
  const n = await net.db.selectFrom('notices').select(['id', 'offender_id', 'expires_at', 'consumed_at']).where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
  if (!n) throw new PennyError('not_found', 'This link is not valid. Check that you typed it exactly as printed.');
  if (n.consumed_at !== null) throw new PennyError('conflict', 'This link was already used. Log in with the account you created.');
  if (n.expires_at <= net.now()) throw new PennyError('conflict', 'This link has expired. Please contact the store for a new notice.');
  return n;
}

/** Uses the single-use token and binds the account to the token's profile, in the caller's transaction. */
export async function consumeNotice(db: Db, now: number, token: string, user: { id: string; offender_id: string | null }) {
  const n = await db.selectFrom('notices').select(['id', 'offender_id', 'expires_at', 'consumed_at']).where('token_hash', '=', sha256Hex(token)).forUpdate().executeTakeFirst();
  if (!n) throw new PennyError('not_found', 'This link is not valid.');
  if (n.consumed_at !== null) throw new PennyError('conflict', 'This link was already used. Log in with the account you created.');
  if (n.expires_at <= now) throw new PennyError('conflict', 'This link has expired. Please contact the store for a new notice.');
  if (user.offender_id && user.offender_id !== n.offender_id) {
    throw new PennyError('conflict', 'This notice belongs to a different account. Please contact Penny support.');
  }
  await db.updateTable('notices').set({ consumed_at: now, consumed_by: user.id }).where('id', '=', n.id).execute();
  await db.updateTable('users').set({ offender_id: n.offender_id }).where('id', '=', user.id).execute();
  await audit(db, now, `user:${user.id}`, 'notice.consumed', 'notice', n.id);
  return n.offender_id;
}

export async function incidentsFor(net: Net, offenderId: string) {
  const debts = await net.db
    .selectFrom('debts')
    .innerJoin('cases', 'cases.id', 'debts.case_id')
    .innerJoin('stores', 'stores.id', 'debts.store_id')
    .select(['debts.id', 'debts.case_id as caseId', 'debts.amount_cents as amountCents', 'debts.status', 'cases.occurred_at as occurredAt', 'cases.summary', 'stores.name as storeName'])
    .where('debts.offender_id', '=', offenderId)
    .where('cases.status', '=', 'approved')
    .orderBy('cases.occurred_at')
    .execute();
  const evidence = debts.length
    ? await net.db.selectFrom('evidence').select(['id', 'case_id', 'name', 'kind', 'mime']).where('case_id', 'in', debts.map((d) => d.caseId)).where('status', '=', 'complete').orderBy('position').execute()
    : [];
  return debts.map((d) => ({ ...d, evidence: evidence.filter((e) => e.case_id === d.caseId) }));
}

/**
 * Pay now: one Checkout session for the whole open debt (full payment only). Refused while a
 * dispute is open. The payment row is written first so the webhook can always find it.
 */
export async function startCheckout(net: Net, user: { id: string; offender_id: string | null }) {
  if (!net.stripe) throw new PennyError('unavailable', 'payments are not set up on this server');
  if (!user.offender_id) throw new PennyError('forbidden', 'this account has no notice linked to it');
  const offenderId = user.offender_id;
  const s = await getSettings(net.db);
  const now = net.now();
  const payment = await net.db.transaction().execute(async (trx) => {
    const debts = await trx.selectFrom('debts').select(['id', 'amount_cents', 'status']).where('offender_id', '=', offenderId).where('status', 'in', ['open', 'disputed']).forUpdate().execute();
    if (debts.some((d) => d.status === 'disputed')) throw new PennyError('conflict', 'Payment is paused while your dispute is reviewed.');
    if (debts.length === 0) throw new PennyError('conflict', 'There is nothing to pay.');
    const id = newId('pay');
    const amount = debts.reduce((a, d) => a + d.amount_cents, 0);
    await trx.insertInto('payments').values({ id, offender_id: offenderId, user_id: user.id, stripe_session_id: null, amount_cents: amount, currency: s.currency, status: 'pending', receipt_number: null, created_at: now, paid_at: null }).execute();
    await trx.insertInto('payment_debts').values(debts.map((d) => ({ payment_id: id, debt_id: d.id, amount_cents: d.amount_cents }))).execute();
    await audit(trx, now, `user:${user.id}`, 'payment.started', 'payment', id, { debts: debts.length });
    return { id, amount, count: debts.length };
  });
  const base = net.publicUrl();
  const session = await net.stripe.checkout.sessions.create(
    {
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: { currency: s.currency, unit_amount: payment.amount, product_data: { name: `Settlement of ${payment.count} incident${payment.count === 1 ? '' : 's'}` } },
        },
      ],
      client_reference_id: payment.id,
      metadata: { paymentId: payment.id },
      success_url: `${base}/portal/paid?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${base}/portal/cancelled`,
    },
    { idempotencyKey: `checkout-${payment.id}` },
  );
  await net.db.updateTable('payments').set({ stripe_session_id: session.id }).where('id', '=', payment.id).execute();
  if (!session.url) throw new PennyError('unavailable', 'the payment page could not be opened; try again');
  return { paymentId: payment.id, url: session.url, amountCents: payment.amount };
}

export type WebhookOutcome = 'paid' | 'duplicate' | 'already_paid' | 'awaiting_payment' | 'amount_mismatch' | 'expired' | 'ignored' | 'unknown_payment';

/**
 * `checkout.session.completed` (and the async variants): verify the signature, process each
 * event id once, mark the debts paid, write the receipt and ledger, and notify everyone.
 */
export async function handleStripeWebhook(net: Net, raw: Buffer, signature: string | undefined): Promise<{ outcome: WebhookOutcome; eventId: string }> {
  if (!net.stripe || !net.stripeWebhookSecret) throw new PennyError('unavailable', 'payments are not set up on this server');
  if (!signature) throw new PennyError('invalid_input', 'missing Stripe-Signature header');
  let event: Stripe.Event;
  try {
    event = net.stripe.webhooks.constructEvent(raw, signature, net.stripeWebhookSecret);
  } catch (err) {
    throw new PennyError('invalid_input', `webhook signature check failed: ${(err as Error).message}`);
  }
  const now = net.now();
  return net.db.transaction().execute(async (trx) => {
    const inserted = await trx.insertInto('stripe_events').values({ id: event.id, type: event.type, outcome: 'processing', received_at: now }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
    if (!inserted) return { outcome: 'duplicate' as const, eventId: event.id };
    const outcome = await processEvent(net, trx, event, now);
    await trx.updateTable('stripe_events').set({ outcome }).where('id', '=', event.id).execute();
    net.log.info('stripe event', { eventId: event.id, type: event.type, outcome });
    return { outcome, eventId: event.id };
  });
}

async function processEvent(net: Net, trx: Db, event: Stripe.Event, now: number): Promise<WebhookOutcome> {
  if (event.type !== 'checkout.session.completed' && event.type !== 'checkout.session.async_payment_succeeded' && event.type !== 'checkout.session.expired') return 'ignored';
  const session = event.data.object as Stripe.Checkout.Session;
  const paymentId = session.metadata?.paymentId ?? session.client_reference_id ?? '';
  const p = await trx.selectFrom('payments').selectAll().where('id', '=', paymentId).forUpdate().executeTakeFirst();
  if (!p || (p.stripe_session_id !== null && p.stripe_session_id !== session.id)) {
    await notify(trx, now, { audience: 'ops', kind: 'payment.unknown', message: `A Stripe event (${event.id}) names a payment this network does not know.` });
    return 'unknown_payment';
  }
  // Events can arrive in any order: once paid, nothing (an expiry, a replay under a new id) undoes it.
  if (p.status === 'paid') return 'already_paid';
  if (event.type === 'checkout.session.expired') {
    await trx.updateTable('payments').set({ status: 'expired' }).where('id', '=', p.id).execute();
    return 'expired';
  }
  if (session.payment_status !== 'paid') return 'awaiting_payment';
  if (session.amount_total !== p.amount_cents || (session.currency ?? '').toLowerCase() !== p.currency) {
    await notify(trx, now, { audience: 'ops', kind: 'payment.mismatch', message: `Payment ${p.id} was completed for a different amount than expected; review it.` });
    return 'amount_mismatch';
  }
  const s = await getSettings(trx);
  const receipt = `R-${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}-${p.id.slice(-6).toUpperCase()}`;
  await trx.updateTable('payments').set({ status: 'paid', paid_at: now, receipt_number: receipt, stripe_session_id: session.id }).where('id', '=', p.id).execute();
  const lines = await trx.selectFrom('payment_debts').innerJoin('debts', 'debts.id', 'payment_debts.debt_id').select(['debts.id', 'debts.store_id', 'debts.case_id', 'payment_debts.amount_cents']).where('payment_debts.payment_id', '=', p.id).execute();
  const stores = new Set<string>();
  for (const l of lines) {
    await trx.updateTable('debts').set({ status: 'paid', payment_id: p.id, paid_at: now }).where('id', '=', l.id).execute();
    const networkShare = Math.round((l.amount_cents * s.commission_rate_bps) / 10_000);
    await trx
      .insertInto('ledger_entries')
      .values({ id: newId('led'), store_id: l.store_id, payment_id: p.id, debt_id: l.id, gross_cents: l.amount_cents, rate_bps: s.commission_rate_bps, store_share_cents: l.amount_cents - networkShare, network_share_cents: networkShare, created_at: now })
      .execute();
    stores.add(l.store_id);
  }
  for (const storeId of stores) await notify(trx, now, { audience: 'store', storeId, kind: 'payment.received', message: `A payment was received (receipt ${receipt}). See your ledger.` });
  await notify(trx, now, { audience: 'ops', kind: 'payment.received', message: `Payment ${p.id} completed (receipt ${receipt}).` });
  await notify(trx, now, { audience: 'subject', userId: p.user_id, kind: 'payment.receipt', message: `Thank you. Your payment is complete. Receipt ${receipt}.` });
  await audit(trx, now, 'stripe', 'payment.completed', 'payment', p.id, { eventId: event.id, debts: lines.length });
  return 'paid';
}

export async function storeLedger(db: Db, storeId: string) {
  const entries = await db
    .selectFrom('ledger_entries')
    .innerJoin('debts', 'debts.id', 'ledger_entries.debt_id')
    .select(['ledger_entries.id', 'debts.case_id as caseId', 'ledger_entries.payment_id as paymentId', 'ledger_entries.gross_cents as grossCents', 'ledger_entries.rate_bps as rateBps', 'ledger_entries.store_share_cents as storeShareCents', 'ledger_entries.network_share_cents as networkShareCents', 'ledger_entries.created_at as createdAt'])
    .where('ledger_entries.store_id', '=', storeId)
    .orderBy('ledger_entries.created_at')
    .execute();
  const debts = await db.selectFrom('debts').select(['case_id as caseId', 'amount_cents as amountCents', 'status']).where('store_id', '=', storeId).orderBy('created_at').execute();
  const sum = (k: 'grossCents' | 'storeShareCents' | 'networkShareCents') => entries.reduce((a, e) => a + e[k], 0);
  return { storeId, entries, totals: { grossCents: sum('grossCents'), storeShareCents: sum('storeShareCents'), networkShareCents: sum('networkShareCents') }, debts };
}

export interface Attachment {
  name: string;
  mime: string;
  data: Buffer;
}
const MAX_ATTACHMENTS = 5;
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** A dispute pauses collection: open debts become disputed until Ops resolves it. */
export async function openDispute(net: Net, user: { id: string; offender_id: string | null }, reason: string, attachments: Attachment[]) {
  if (!user.offender_id) throw new PennyError('forbidden', 'this account has no notice linked to it');
  const text = reason.trim();
  if (text.length < 10) throw new PennyError('invalid_input', 'Please explain in a sentence or two (at least 10 characters).', { field: 'reason' });
  if (text.length > 5000) throw new PennyError('invalid_input', 'The explanation is too long (5000 characters at most).', { field: 'reason' });
  if (attachments.length > MAX_ATTACHMENTS) throw new PennyError('invalid_input', `At most ${MAX_ATTACHMENTS} attachments.`, { field: 'attachments' });
  for (const a of attachments) {
    if (a.data.length > MAX_ATTACHMENT_BYTES) throw new PennyError('invalid_input', `"${a.name}" is larger than 10 MB.`, { field: 'attachments' });
    if (!/^(image\/(png|jpeg|webp)|application\/pdf|text\/plain)$/.test(a.mime)) throw new PennyError('invalid_input', `"${a.name}" must be a photo (PNG, JPEG, WebP), a PDF or a text file.`, { field: 'attachments' });
  }
  const offenderId = user.offender_id;
  const now = net.now();
  const id = newId('dsp');
  const stored: { key: string }[] = [];
  try {
    return await net.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('debts').set({ status: 'disputed' }).where('offender_id', '=', offenderId).where('status', '=', 'open').returning(['id', 'store_id']).execute();
      if (r.length === 0) throw new PennyError('conflict', 'There is no open amount to dispute.');
      await trx.insertInto('disputes').values({ id, offender_id: offenderId, user_id: user.id, reason: text, status: 'open', resolution: null, resolved_by: null, created_at: now, resolved_at: null }).execute();
      for (const a of attachments) {
        const aid = newId('att');
        const key = `disputes/${id}/${aid}`;
        await net.storage.write(key, 0, a.data);
        stored.push({ key });
        await trx.insertInto('dispute_attachments').values({ id: aid, dispute_id: id, name: a.name.replace(/[^\w.\- ]/g, '_').slice(0, 120) || 'attachment', mime: a.mime, size: a.data.length, sha256: sha256Hex(a.data), storage_key: key, created_at: now }).execute();
      }
      for (const storeId of new Set(r.map((d) => d.store_id))) await notify(trx, now, { audience: 'store', storeId, kind: 'dispute.opened', message: 'A person disputed an incident; collection is paused until Penny Ops decides.' });
      await notify(trx, now, { audience: 'ops', kind: 'dispute.opened', message: `Dispute ${id} needs a decision.` });
      await audit(trx, now, `user:${user.id}`, 'dispute.opened', 'dispute', id, { debts: r.length, attachments: attachments.length });
      return { disputeId: id, debts: r.length };
    });
  } catch (err) {
    for (const s of stored) await net.storage.remove(s.key);
    throw err;
  }
}

/** Upheld: the disputed debts are cancelled. Rejected: collection resumes. Both sides are told. */
export async function resolveDispute(net: Net, opsId: string, disputeId: string, decision: 'upheld' | 'rejected', resolution: string) {
  if (!resolution.trim()) throw new PennyError('invalid_input', 'write the decision in plain words for both sides', { field: 'resolution' });
  const now = net.now();
  return net.db.transaction().execute(async (trx) => {
    const d = await trx.selectFrom('disputes').selectAll().where('id', '=', disputeId).forUpdate().executeTakeFirst();
    if (!d) throw new PennyError('not_found', `no dispute ${disputeId}`);
    if (d.status !== 'open') throw new PennyError('conflict', `dispute ${disputeId} was already ${d.status}`);
    await trx.updateTable('disputes').set({ status: decision, resolution: resolution.trim(), resolved_by: opsId, resolved_at: now }).where('id', '=', disputeId).execute();
    const r = await trx.updateTable('debts').set({ status: decision === 'upheld' ? 'void' : 'open' }).where('offender_id', '=', d.offender_id).where('status', '=', 'disputed').returning(['store_id']).execute();
    const msg = decision === 'upheld' ? 'Penny Ops accepted the dispute; the amount is cancelled.' : 'Penny Ops reviewed the dispute and did not accept it; payment can continue.';
    for (const storeId of new Set(r.map((x) => x.store_id))) await notify(trx, now, { audience: 'store', storeId, kind: `dispute.${decision}`, message: msg });
    await notify(trx, now, { audience: 'subject', userId: d.user_id, kind: `dispute.${decision}`, message: `${msg} ${resolution.trim()}` });
    await audit(trx, now, `user:${opsId}`, `dispute.${decision}`, 'dispute', disputeId);
    return { disputeId, status: decision };
  });
}
