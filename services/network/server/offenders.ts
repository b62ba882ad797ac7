import { sql } from 'kysely';
import { PennyError } from '../../contract/errors.js';
import type { z } from 'zod';
import type { NetworkAlertsPage, NetworkWatchlistPage } from '../../contract/network.js';
import { audit, type Db, type Net } from './context.js';
import { getSettings } from './settings.js';
import { DAY_MS, newId } from './util.js';

/**
 * Ops review. Approving links the case to an offender (a new one, or one the reviewer picked,
 * maybe from the face suggestions), attaches its face templates, then applies the network policy.
 */
export async function approveCase(net: Net, opsId: string, caseId: string, linkTo: string | null, reason: string) {
  const now = net.now();
  return net.db.transaction().execute(async (trx) => {
    const c = await trx
      .selectFrom('cases')
      .innerJoin('stores', 'stores.id', 'cases.store_id')
      .select(['cases.id', 'cases.status', 'cases.store_id', 'cases.created_at', 'stores.region_id'])
      .where('cases.id', '=', caseId)
      .forUpdate()
      .executeTakeFirst();
    if (!c) throw new PennyError('not_found', `no case ${caseId}`);
    if (c.status !== 'pending_review') throw new PennyError('conflict', `case ${caseId} is ${c.status.replace('_', ' ')}, not waiting for review`);
    let offenderId: string;
    if (linkTo) {
      const o = await trx.selectFrom('offenders').select(['id', 'region_id', 'status']).where('id', '=', linkTo).executeTakeFirst();
      if (!o) throw new PennyError('invalid_input', `no offender ${linkTo} to link to`, { field: 'offenderId' });
      if (o.region_id !== c.region_id) throw new PennyError('invalid_input', `offender ${linkTo} belongs to another region`, { field: 'offenderId' });
      if (o.status === 'merged' || o.status === 'redacted') throw new PennyError('invalid_input', `offender ${linkTo} is ${o.status}; pick the current profile`, { field: 'offenderId' });
      offenderId = o.id;
    } else {
      offenderId = newId('off');
      await trx.insertInto('offenders').values({ id: offenderId, region_id: c.region_id, status: 'candidate', merged_into: null, expires_at: null, created_at: now, updated_at: now }).execute();
    }
    await trx.updateTable('cases').set({ status: 'approved', offender_id: offenderId, review_reason: reason || null, reviewed_by: opsId, reviewed_at: now }).where('id', '=', caseId).execute();
    await trx.updateTable('face_templates').set({ offender_id: offenderId }).where('case_id', '=', caseId).execute();
    await audit(trx, now, `user:${opsId}`, 'case.approved', 'case', caseId, { offenderId });
    const outcome = await applyPolicy(net, trx, offenderId, { caseId, storeId: c.store_id, receivedAt: c.created_at });
    return { caseId, offenderId, ...outcome };
  });
}

export async function rejectCase(net: Net, opsId: string, caseId: string, reason: string) {
  if (!reason.trim()) throw new PennyError('invalid_input', 'a reason is required to reject a case', { field: 'reason' });
  const now = net.now();
  return net.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('cases').set({ status: 'rejected', review_reason: reason.trim(), reviewed_by: opsId, reviewed_at: now }).where('id', '=', caseId).where('status', '=', 'pending_review').executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new PennyError('conflict', `case ${caseId} is not waiting for review`);
    await audit(trx, now, `user:${opsId}`, 'case.rejected', 'case', caseId);
    return { caseId };
  });
}

/**
 * Network policy: an offender joins the watchlist once approved cases from `promote_confirms`
 * different stores fall within `promote_window_days`. A new confirmation of someone already on
 * the network refreshes the entry (new templates, later expiry) and sends a return alert.
 */
async function applyPolicy(net: Net, trx: Db, offenderId: string, trigger: { caseId: string; storeId: string; receivedAt: number }) {
  const now = net.now();
  const s = await getSettings(trx);
  const o = await trx.selectFrom('offenders').selectAll().where('id', '=', offenderId).executeTakeFirstOrThrow();
  const expiresAt = now + s.watchlist_ttl_days * DAY_MS;
  const alert = async (kind: 'promoted' | 'returned', message: string) => {
    await trx
      .insertInto('alerts')
      .values({ region_id: o.region_id, offender_id: offenderId, case_id: trigger.caseId, source_store_id: trigger.storeId, kind, message, case_received_at: trigger.receivedAt, created_at: now })
      .execute();
  };
  if (o.status === 'network') {
    await trx.updateTable('offenders').set({ expires_at: expiresAt, updated_at: now }).where('id', '=', offenderId).execute();
    await trx.insertInto('watchlist_changes').values({ region_id: o.region_id, offender_id: offenderId, kind: 'upsert', reason: 'refreshed', at: now }).execute();
    await alert('returned', 'A person on the network watchlist was confirmed again at a store in your region.');
    return { promoted: false, onNetwork: true };
  }
  if (o.status !== 'candidate') return { promoted: false, onNetwork: false };
  const since = now - s.promote_window_days * DAY_MS;
  const stores = await trx
    .selectFrom('cases')
    .select(sql<number>`count(distinct store_id)::int`.as('n'))
    .where('offender_id', '=', offenderId)
    .where('status', '=', 'approved')
    .where('occurred_at', '>=', since)
    .executeTakeFirst();
  if (Number(stores?.n) < s.promote_confirms) return { promoted: false, onNetwork: false };
  await trx.updateTable('offenders').set({ status: 'network', expires_at: expiresAt, updated_at: now }).where('id', '=', offenderId).execute();
  await trx.insertInto('watchlist_changes').values({ region_id: o.region_id, offender_id: offenderId, kind: 'upsert', reason: 'promoted', at: now }).execute();
  await alert('promoted', `A person confirmed at ${s.promote_confirms} or more stores in your region was added to the network watchlist.`);
  await audit(trx, now, 'system', 'offender.promoted', 'offender', offenderId);
  return { promoted: true, onNetwork: true };
}

async function removeFromNetwork(trx: Db, now: number, offenderId: string, regionId: string, reason: 'expired' | 'redacted' | 'removed' | 'merged') {
  await trx.insertInto('watchlist_changes').values({ region_id: regionId, offender_id: offenderId, kind: 'remove', reason, at: now }).execute();
}

/** Entries past their expiry leave the watchlist; stations see a `remove` change. */
export async function expireDue(net: Net) {
  const now = net.now();
  const due = await net.db.selectFrom('offenders').select(['id', 'region_id']).where('status', '=', 'network').where('expires_at', '<=', now).execute();
  if (due.length === 0) return 0;
  await net.db.transaction().execute(async (trx) => {
    for (const o of due) {
      const r = await trx.updateTable('offenders').set({ status: 'removed', updated_at: now }).where('id', '=', o.id).where('status', '=', 'network').executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) continue;
      await removeFromNetwork(trx, now, o.id, o.region_id, 'expired');
      await audit(trx, now, 'system', 'offender.expired', 'offender', o.id);
    }
  });
  return due.length;
}

/** Deletes the face templates and takes the person off the watchlist. Cases and debts stay. */
export async function redactOffender(net: Net, opsId: string, offenderId: string) {
  const now = net.now();
  await net.db.transaction().execute(async (trx) => {
    const o = await trx.selectFrom('offenders').select(['id', 'status', 'region_id']).where('id', '=', offenderId).forUpdate().executeTakeFirst();
    if (!o) throw new PennyError('not_found', `no offender ${offenderId}`);
    if (o.status === 'redacted') return;
    await trx.deleteFrom('face_templates').where('offender_id', '=', offenderId).execute();
    await trx.updateTable('offenders').set({ status: 'redacted', expires_at: null, updated_at: now }).where('id', '=', offenderId).execute();
    if (o.status === 'network') await removeFromNetwork(trx, now, offenderId, o.region_id, 'redacted');
    await audit(trx, now, `user:${opsId}`, 'offender.redacted', 'offender', offenderId);
  });
}

export async function setOffenderExpiry(net: Net, opsId: string, offenderId: string, expiresAt: number) {
  const now = net.now();
  if (!Number.isFinite(expiresAt) || expiresAt <= now) throw new PennyError('invalid_input', 'expiry must be in the future', { field: 'expiresAt' });
  await net.db.transaction().execute(async (trx) => {
    const o = await trx.selectFrom('offenders').select(['id', 'status', 'region_id']).where('id', '=', offenderId).forUpdate().executeTakeFirst();
    if (!o) throw new PennyError('not_found', `no offender ${offenderId}`);
    if (o.status !== 'network') throw new PennyError('conflict', `offender ${offenderId} is not on the watchlist`);
    await trx.updateTable('offenders').set({ expires_at: expiresAt, updated_at: now }).where('id', '=', offenderId).execute();
    await trx.insertInto('watchlist_changes').values({ region_id: o.region_id, offender_id: offenderId, kind: 'upsert', reason: 'expiry_changed', at: now }).execute();
    await audit(trx, now, `user:${opsId}`, 'offender.expiryChanged', 'offender', offenderId, { expiresAt });
  });
}

/** Folds `sourceId` into `targetId`: cases, templates, debts, notices and accounts move over. */
export async function mergeOffenders(net: Net, opsId: string, sourceId: string, targetId: string) {
  if (sourceId === targetId) throw new PennyError('invalid_input', 'cannot merge an offender into itself', { field: 'targetId' });
  const now = net.now();
  return net.db.transaction().execute(async (trx) => {
    const [src, dst] = await Promise.all(
      [sourceId, targetId].map((id) => trx.selectFrom('offenders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()),
    );
    if (!src) throw new PennyError('not_found', `no offender ${sourceId}`, { field: 'sourceId' });
    if (!dst) throw new PennyError('not_found', `no offender ${targetId}`, { field: 'targetId' });
    if (src.region_id !== dst.region_id) throw new PennyError('invalid_input', 'offenders from different regions cannot be merged');
    if (src.status === 'merged' || dst.status === 'merged') throw new PennyError('conflict', 'one of these offenders was already merged');
    const srcUser = await trx.selectFrom('users').select('id').where('offender_id', '=', sourceId).executeTakeFirst();
    const dstUser = await trx.selectFrom('users').select('id').where('offender_id', '=', targetId).executeTakeFirst();
    if (srcUser && dstUser) throw new PennyError('conflict', 'both profiles have their own portal account; resolve that first');
    for (const t of ['cases', 'face_templates', 'debts', 'notices', 'users', 'payments', 'disputes'] as const) {
      await trx.updateTable(t).set({ offender_id: targetId }).where('offender_id', '=', sourceId).execute();
    }
    await trx.updateTable('offenders').set({ status: 'merged', merged_into: targetId, updated_at: now }).where('id', '=', sourceId).execute();
    if (src.status === 'network') await removeFromNetwork(trx, now, sourceId, src.region_id, 'merged');
    await audit(trx, now, `user:${opsId}`, 'offender.merged', 'offender', sourceId, { into: targetId });
    const last = await trx.selectFrom('cases').select(['id', 'store_id', 'created_at']).where('offender_id', '=', targetId).where('status', '=', 'approved').orderBy('created_at', 'desc').executeTakeFirst();
    if (dst.status === 'network') {
      await trx.insertInto('watchlist_changes').values({ region_id: dst.region_id, offender_id: targetId, kind: 'upsert', reason: 'merged', at: now }).execute();
      return { targetId, promoted: false };
    }
    const r = last ? await applyPolicy(net, trx, targetId, { caseId: last.id, storeId: last.store_id, receivedAt: last.created_at }) : { promoted: false };
    return { targetId, promoted: r.promoted };
  });
}

/** Nearest known offenders to a case's faces: pgvector HNSW when available, else an exact scan. */
export async function suggestLinks(net: Net, caseId: string, limit = 5) {
  const c = await net.db.selectFrom('cases').innerJoin('stores', 'stores.id', 'cases.store_id').select(['stores.region_id']).where('cases.id', '=', caseId).executeTakeFirst();
  if (!c) throw new PennyError('not_found', `no case ${caseId}`);
  const probes = await net.db.selectFrom('face_templates').select('embedding').where('case_id', '=', caseId).execute();
  const best = new Map<string, number>();
  for (const p of probes) {
    const v = p.embedding.map(Number);
    let rows: { offender_id: string; d: number }[];
    if (net.vectorSearch === 'pgvector') {
      const r = await sql<{ offender_id: string; d: number }>`
        select ft.offender_id, (ft.embedding_v <-> ${`[${v.join(',')}]`}::vector)::float8 as d
        from face_templates ft join offenders o on o.id = ft.offender_id
        where o.region_id = ${c.region_id} and o.status in ('candidate','network') and ft.case_id <> ${caseId}
        order by ft.embedding_v <-> ${`[${v.join(',')}]`}::vector limit ${limit * 4}`.execute(net.db);
      rows = r.rows;
    } else {
      const all = await net.db
        .selectFrom('face_templates as ft')
        .innerJoin('offenders as o', 'o.id', 'ft.offender_id')
        .select(['ft.offender_id', 'ft.embedding'])
        .where('o.region_id', '=', c.region_id)
        .where('o.status', 'in', ['candidate', 'network'])
        .where('ft.case_id', '<>', caseId)
        .execute();
      rows = all.map((t) => ({ offender_id: t.offender_id!, d: Math.sqrt(t.embedding.reduce((acc, x, i) => acc + (Number(x) - v[i]!) ** 2, 0)) }));
    }
    for (const r of rows) best.set(r.offender_id, Math.min(best.get(r.offender_id) ?? Infinity, Number(r.d)));
  }
  return [...best.entries()]
    .map(([offenderId, distance]) => ({ offenderId, distance }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit);
}

export async function watchlistPage(net: Net, regionId: string, cursor: number, limit: number): Promise<z.output<typeof NetworkWatchlistPage>> {
  await expireDue(net);
  const rows = await net.db.selectFrom('watchlist_changes').selectAll().where('region_id', '=', regionId).where('seq', '>', cursor).orderBy('seq').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const ids = [...new Set(page.filter((r) => r.kind === 'upsert').map((r) => r.offender_id))];
  const [templates, offenders] = ids.length
    ? await Promise.all([
        net.db.selectFrom('face_templates').select(['id', 'offender_id', 'embedding']).where('offender_id', 'in', ids).orderBy('created_at').execute(),
        net.db.selectFrom('offenders').select(['id', 'expires_at']).where('id', 'in', ids).execute(),
      ])
    : [[], []];
  const expiry = new Map(offenders.map((o) => [o.id, o.expires_at]));
  return {
    changes: page.map((r) =>
      r.kind === 'upsert'
        ? {
            kind: 'upsert' as const,
            seq: r.seq,
            offenderId: r.offender_id,
            expiresAt: expiry.get(r.offender_id) ?? null,
            templates: templates.filter((t) => t.offender_id === r.offender_id).map((t) => ({ id: t.id, vector: t.embedding.map(Number) })),
          }
        : { kind: 'remove' as const, seq: r.seq, offenderId: r.offender_id, reason: r.reason as 'expired' },
    ),
    cursor: page.length ? page[page.length - 1]!.seq : cursor,
    hasMore: rows.length > limit,
  };
}

export async function alertsPage(net: Net, regionId: string, cursor: number, limit: number): Promise<z.output<typeof NetworkAlertsPage>> {
  const rows = await net.db.selectFrom('alerts').selectAll().where('region_id', '=', regionId).where('seq', '>', cursor).orderBy('seq').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    alerts: page.map((a) => ({ seq: a.seq, offenderId: a.offender_id, kind: a.kind as 'promoted', message: a.message, sourceStoreId: a.source_store_id, createdAt: a.created_at })),
    cursor: page.length ? page[page.length - 1]!.seq : cursor,
    hasMore: rows.length > limit,
  };
}
