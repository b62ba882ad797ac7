import { sql } from 'kysely';
import type { z } from 'zod';
import { PennyError } from '../../contract/errors.js';
import { NETWORK_MAX_CHUNK_BYTES, type NetworkCaseIntake, type NetworkCaseStatusT } from '../../contract/network.js';
import { audit, type Db, type Net } from './context.js';
import { STATION_REVOKED, type StationAuth } from './tenancy.js';
import { canonicalJson, newId, sha256Hex } from './util.js';

type Intake = z.output<typeof NetworkCaseIntake>;

/** A case as its store sees it. Scoped: a case of another store is "not found", never "forbidden". */
export async function caseStatus(db: Db, storeId: string, caseId: string): Promise<NetworkCaseStatusT> {
  const c = await db.selectFrom('cases').selectAll().where('id', '=', caseId).where('store_id', '=', storeId).executeTakeFirst();
  if (!c) throw new PennyError('not_found', `no case ${caseId} for this store`, { field: 'caseId' });
  const [ev, debt] = await Promise.all([
    db.selectFrom('evidence').select(['id', 'name', 'size', 'received_bytes', 'status']).where('case_id', '=', c.id).where('store_id', '=', storeId).orderBy('position').execute(),
    db.selectFrom('debts').select('status').where('case_id', '=', c.id).where('store_id', '=', storeId).executeTakeFirst(),
  ]);
  return {
    id: c.id,
    stationCaseRef: c.station_case_ref,
    status: c.status,
    reviewReason: c.review_reason,
    offenderId: c.status === 'approved' ? c.offender_id : null,
    amountCents: c.amount_cents,
    debtStatus: debt?.status ?? 'none',
    evidence: ev.map((e) => ({ id: e.id, name: e.name, size: e.size, receivedBytes: e.received_bytes, complete: e.status === 'complete' })),
    createdAt: c.created_at,
  };
}

function checkIdempotencyKey(key: string | undefined): string {
  if (!key) throw new PennyError('invalid_input', 'missing Idempotency-Key header (a unique id per case, reused on retries)', { field: 'Idempotency-Key' });
  if (!/^[A-Za-z0-9_.:-]{8,128}$/.test(key)) {
    throw new PennyError('invalid_input', 'Idempotency-Key must be 8–128 letters, digits, or _.:-', { field: 'Idempotency-Key' });
  }
  return key;
}

/**
 * Records a case and its evidence manifest. The same key with the same body answers with the
 * stored case (a retry); the same key with a different body is a conflict, and nothing changes.
 */
export async function intakeCase(net: Net, st: StationAuth, rawKey: string | undefined, body: Intake) {
  const key = checkIdempotencyKey(rawKey);
  const requestHash = sha256Hex(canonicalJson(body));
  const names = new Set<string>();
  for (const [i, e] of body.evidence.entries()) {
    if (names.has(e.name)) throw new PennyError('invalid_input', `evidence[${i}].name "${e.name}" appears twice in the manifest`, { field: `evidence.${i}.name` });
    names.add(e.name);
  }
  const existing = async (db: Db) => {
    const row = await db.selectFrom('cases').select(['id', 'request_hash']).where('store_id', '=', st.storeId).where('idempotency_key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    if (row.request_hash !== requestHash) {
      throw new PennyError('conflict', 'this Idempotency-Key was already used for a different case', { field: 'Idempotency-Key', caseId: row.id });
    }
    return { ...(await caseStatus(db, st.storeId, row.id)), replayed: true };
  };
  const now = net.now();
  const caseId = newId('case');
  const evidenceRows = body.evidence.map((e, i) => {
    const id = newId('ev');
    return { id, position: i, name: e.name, kind: e.kind, mime: e.mime, size: e.size, sha256: e.sha256, storage_key: `evidence/${st.storeId}/${caseId}/${id}` };
  });
  const templates = body.faceTemplates.map((embedding) => ({ id: newId('ft'), embedding }));
  const withVector = net.vectorSearch === 'pgvector';
  let written: { station_ok: boolean; case_id: string | null } | undefined;
  try {
    // One statement: one round trip and its own transaction. PGlite runs statements one at a time,
    // so every extra round trip here is paid again by each request queued behind this one. Nothing
    // is written if the station was revoked (intake's revocation check, see stationIdentities) or
    // the key was already used at this store (a retry or a racing duplicate: the stored case answers below).
    const r = await sql<{ station_ok: boolean; case_id: string | null }>`
      with st as (
        select id from stations where id = ${st.stationId} and store_id = ${st.storeId} and revoked_at is null
      ), c as (
        insert into cases (id, store_id, station_id, idempotency_key, request_hash, station_case_ref, status, amount_cents, occurred_at, summary, debug, created_at)
        select ${caseId}::text, ${st.storeId}::text, st.id, ${key}::text, ${requestHash}::text, ${body.stationCaseRef}::text, 'receiving',
          ${body.amountCents}::integer, ${body.occurredAt}::bigint, ${body.summary}::text, ${JSON.stringify(body.debug)}::jsonb, ${now}::bigint
        from st
        on conflict (store_id, idempotency_key) do nothing
        returning id
      ), ev as (
        insert into evidence (id, case_id, store_id, position, name, kind, mime, size, sha256, status, storage_key, created_at)
        select e.id, c.id, ${st.storeId}::text, e.position, e.name, e.kind, e.mime, e.size, e.sha256, 'uploading', e.storage_key, ${now}::bigint
        from c, jsonb_to_recordset(${JSON.stringify(evidenceRows)}::jsonb)
          as e(id text, position integer, name text, kind text, mime text, size bigint, sha256 text, storage_key text)
      ), ft as (
        insert into face_templates (id, offender_id, case_id, store_id, embedding, ${withVector ? sql`embedding_v, ` : sql``}created_at)
        select f.id, null, c.id, ${st.storeId}::text, f.embedding, ${withVector ? sql`f.embedding::vector, ` : sql``}${now}::bigint
        from c, jsonb_to_recordset(${JSON.stringify(templates)}::jsonb) as f(id text, embedding real[])
      ), au as (
        insert into audit_log (at, actor, action, entity, entity_id, details)
        select ${now}::bigint, ${`station:${st.stationId}`}::text, 'case.received', 'case', c.id, ${JSON.stringify({ storeId: st.storeId, evidence: body.evidence.length })}::jsonb
        from c
      )
      select exists (select 1 from st) as station_ok, (select id from c) as case_id`.execute(net.db);
    written = r.rows[0];
  } catch (err) {
    const again = await existing(net.db).catch(() => undefined);
    if (again) return again;
    throw err;
  }
  if (!written?.station_ok) throw new PennyError('unauthenticated', STATION_REVOKED);
  if (!written.case_id) {
    const again = await existing(net.db);
    if (again) return again;
    throw new PennyError('conflict', 'this Idempotency-Key is being used by another request; retry');
  }
  // Answer from what was just written instead of reading it back.
  return {
    id: caseId,
    stationCaseRef: body.stationCaseRef,
    status: 'receiving' as const,
    reviewReason: null,
    offenderId: null,
    amountCents: body.amountCents,
    debtStatus: 'none' as const,
    evidence: evidenceRows.map((e) => ({ id: e.id, name: e.name, size: e.size, receivedBytes: 0, complete: false })),
    createdAt: now,
    replayed: false,
  };
}

/**
 * Appends one chunk at `offset`, which must equal the bytes received so far (so a resumed upload
 * asks for the status and continues). The last chunk triggers the SHA-256 check against the
 * manifest; a mismatch discards the upload so it can start over, and the case stays incomplete.
 */
export async function writeChunk(net: Net, st: StationAuth, caseId: string, evidenceId: string, offset: number, chunk: Buffer) {
  if (chunk.length > NETWORK_MAX_CHUNK_BYTES) throw new PennyError('invalid_input', `chunk is ${chunk.length} bytes; the maximum is ${NETWORK_MAX_CHUNK_BYTES}`);
  const now = net.now();
  return net.db.transaction().execute(async (trx) => {
    const ev = await trx
      .selectFrom('evidence')
      .selectAll()
      .where('id', '=', evidenceId)
      .where('case_id', '=', caseId)
      .where('store_id', '=', st.storeId)
      .forUpdate()
      .executeTakeFirst();
    if (!ev) throw new PennyError('not_found', `no evidence ${evidenceId} in case ${caseId} for this store`, { field: 'evidenceId' });
    const progress = (received: number, complete: boolean) => ({ id: ev.id, name: ev.name, size: ev.size, receivedBytes: received, complete });
    if (ev.status === 'complete') {
      if (chunk.length === 0 || offset + chunk.length <= ev.size) return progress(ev.size, true);
    }
    if (offset !== ev.received_bytes) {
      throw new PennyError('conflict', `upload of "${ev.name}" continues at byte ${ev.received_bytes}, not ${offset}`, { expectedOffset: ev.received_bytes });
    }
    if (chunk.length === 0) throw new PennyError('invalid_input', 'chunk is empty');
    if (offset + chunk.length > ev.size) {
      throw new PennyError('invalid_input', `chunk ends at byte ${offset + chunk.length} but "${ev.name}" has ${ev.size} bytes in the manifest`, { field: 'offset' });
    }
    await net.storage.write(ev.storage_key, offset, chunk);
    const received = offset + chunk.length;
    if (received < ev.size) {
      await trx.updateTable('evidence').set({ received_bytes: received }).where('id', '=', ev.id).execute();
      return progress(received, false);
    }
    const actual = await net.storage.sha256(ev.storage_key);
    if (actual !== ev.sha256) {
      await net.storage.remove(ev.storage_key);
      await trx.updateTable('evidence').set({ received_bytes: 0 }).where('id', '=', ev.id).execute();
      await audit(trx, now, `station:${st.stationId}`, 'evidence.rejected', 'evidence', ev.id, { reason: 'sha256_mismatch' });
      // Committed on purpose: the partial upload is discarded so the station restarts from byte 0.
      return { mismatch: { name: ev.name, expected: ev.sha256, actual } } as const;
    }
    await trx.updateTable('evidence').set({ received_bytes: received, status: 'complete', completed_at: now }).where('id', '=', ev.id).execute();
    const left = await trx.selectFrom('evidence').select(sql<number>`count(*)::int`.as('n')).where('case_id', '=', caseId).where('status', '!=', 'complete').executeTakeFirst();
    if (Number(left?.n) === 0) {
      await trx.updateTable('cases').set({ status: 'pending_review' }).where('id', '=', caseId).where('status', '=', 'receiving').execute();
      await audit(trx, now, `station:${st.stationId}`, 'case.readyForReview', 'case', caseId);
    }
    return progress(received, true);
  }).then((r) => {
    if ('mismatch' in r && r.mismatch) {
      throw new PennyError('invalid_input', `SHA-256 of "${r.mismatch.name}" does not match the case manifest; the upload was discarded, send it again from byte 0`, r.mismatch);
    }
    return r as Exclude<typeof r, { mismatch: unknown }>;
  });
}

export async function listCases(db: Db, status?: string) {
  let q = db
    .selectFrom('cases')
    .innerJoin('stores', 'stores.id', 'cases.store_id')
    .select(['cases.id', 'cases.store_id as storeId', 'stores.name as storeName', 'cases.status', 'cases.amount_cents as amountCents', 'cases.occurred_at as occurredAt', 'cases.created_at as createdAt', 'cases.offender_id as offenderId', 'cases.summary'])
    .orderBy('cases.created_at', 'desc')
    .limit(500);
  if (status) {
    if (!['receiving', 'pending_review', 'approved', 'rejected'].includes(status)) {
      throw new PennyError('invalid_input', `status must be receiving, pending_review, approved or rejected; got "${status}"`, { field: 'status' });
    }
    q = q.where('cases.status', '=', status as 'approved');
  }
  return q.execute();
}
