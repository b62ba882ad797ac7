import { PennyError } from '../../contract/errors.js';
import { audit, type Db, type Net } from './context.js';
import { DAY_MS, newId, randomToken, sha256Hex } from './util.js';

export interface StationAuth {
  stationId: string;
  storeId: string;
  regionId: string;
}

const PAIR_CODE_TTL_MS = DAY_MS;
// No 0/O/1/I: the code is read off a screen and typed at the station.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const MAX_KNOWN_STATIONS = 10_000;
export const STATION_REVOKED = 'station api key was revoked; pair the station again';

export async function addStore(db: Db, now: number, actor: string, name: string, regionName: string, orgName = 'Penny Network') {
  if (!name.trim()) throw new PennyError('invalid_input', 'store name is empty', { field: 'name' });
  if (!regionName.trim()) throw new PennyError('invalid_input', 'region name is empty', { field: 'region' });
  let org = await db.selectFrom('organizations').select('id').where('name', '=', orgName).executeTakeFirst();
  if (!org) {
    org = { id: newId('org') };
    await db.insertInto('organizations').values({ id: org.id, name: orgName, created_at: now }).execute();
  }
  let region = await db.selectFrom('regions').select('id').where('org_id', '=', org.id).where('name', '=', regionName.trim()).executeTakeFirst();
  if (!region) {
    region = { id: newId('reg') };
    await db.insertInto('regions').values({ id: region.id, org_id: org.id, name: regionName.trim(), created_at: now }).execute();
  }
  const store = { id: newId('st'), org_id: org.id, region_id: region.id, name: name.trim(), created_at: now };
  await db.insertInto('stores').values(store).execute();
  await audit(db, now, actor, 'store.created', 'store', store.id, { regionId: region.id });
  return { id: store.id, name: store.name, regionId: region.id, regionName: regionName.trim(), orgId: org.id };
}

export async function createPairCode(db: Db, now: number, actor: string, storeId: string) {
  const store = await db.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst();
  if (!store) throw new PennyError('not_found', `no store with id ${storeId}`, { field: 'store' });
  const bytes = Buffer.from(randomToken(12), 'base64url');
  const code = [...bytes].slice(0, 10).map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
  const expiresAt = now + PAIR_CODE_TTL_MS;
  await db.insertInto('pair_codes').values({ code_hash: sha256Hex(code), store_id: storeId, created_by: actor, created_at: now, expires_at: expiresAt }).execute();
  await audit(db, now, actor, 'station.pairCodeCreated', 'store', storeId);
  return { code, storeId, expiresAt };
}

/** Trades a one-time code for a station API key. The key is returned once and stored only as its SHA-256. */
export async function pairStation(net: Net, code: string, stationName: string) {
  const now = net.now();
  return net.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('pair_codes')
      .innerJoin('stores', 'stores.id', 'pair_codes.store_id')
      .select(['pair_codes.code_hash', 'pair_codes.store_id', 'pair_codes.expires_at', 'pair_codes.used_at', 'stores.region_id'])
      .where('code_hash', '=', sha256Hex(code.trim().toUpperCase()))
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new PennyError('unauthenticated', 'pairing code is not valid', { field: 'code' });
    if (row.used_at !== null) throw new PennyError('unauthenticated', 'pairing code was already used', { field: 'code' });
    if (row.expires_at <= now) throw new PennyError('unauthenticated', 'pairing code has expired; create a new one', { field: 'code' });
    const apiKey = `pk_${randomToken(32)}`;
    const stationId = newId('stn');
    await trx.insertInto('stations').values({ id: stationId, store_id: row.store_id, name: stationName, key_hash: sha256Hex(apiKey), created_at: now }).execute();
    await trx.updateTable('pair_codes').set({ used_at: now, station_id: stationId }).where('code_hash', '=', row.code_hash).execute();
    await audit(trx, now, `station:${stationId}`, 'station.paired', 'station', stationId, { storeId: row.store_id });
    return { stationId, storeId: row.store_id, regionId: row.region_id, apiKey };
  });
}

function bearerKeyHash(authorization: string | undefined): string {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) throw new PennyError('unauthenticated', 'missing "Authorization: Bearer <station api key>" header');
  return sha256Hex(m[1]!);
}

async function stationByKeyHash(db: Db, keyHash: string): Promise<StationAuth> {
  const row = await db
    .selectFrom('stations')
    .innerJoin('stores', 'stores.id', 'stations.store_id')
    .select(['stations.id', 'stations.store_id', 'stations.revoked_at', 'stores.region_id'])
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
  if (!row) throw new PennyError('unauthenticated', 'station api key is not valid');
  if (row.revoked_at !== null) throw new PennyError('unauthenticated', STATION_REVOKED);
  return { stationId: row.id, storeId: row.store_id, regionId: row.region_id };
}

export async function authenticateStation(db: Db, authorization: string | undefined): Promise<StationAuth> {
  return stationByKeyHash(db, bearerKeyHash(authorization));
}

/**
 * Station lookup for case intake, where it would otherwise be a database round trip of its own on
 * every case. A key's station, store and region never change, so they are remembered; revocation
 * is not: the intake statement checks it itself (see intakeCase), so a revoked key stops at once.
 * Only valid keys are remembered, and the map starts over when it holds MAX_KNOWN_STATIONS.
 */
export function stationIdentities(db: Db) {
  const known = new Map<string, StationAuth>();
  return async (authorization: string | undefined): Promise<StationAuth> => {
    const keyHash = bearerKeyHash(authorization);
    const hit = known.get(keyHash);
    if (hit) return hit;
    const st = await stationByKeyHash(db, keyHash);
    if (known.size >= MAX_KNOWN_STATIONS) known.clear();
    known.set(keyHash, st);
    return st;
  };
}

export async function revokeStation(db: Db, now: number, actor: string, stationId: string) {
  const r = await db.updateTable('stations').set({ revoked_at: now }).where('id', '=', stationId).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new PennyError('not_found', `no active station with id ${stationId}`);
  await audit(db, now, actor, 'station.revoked', 'station', stationId);
}

export async function listStores(db: Db) {
  return db
    .selectFrom('stores')
    .innerJoin('regions', 'regions.id', 'stores.region_id')
    .select(['stores.id', 'stores.name', 'stores.region_id as regionId', 'regions.name as regionName'])
    .orderBy('stores.created_at')
    .execute();
}
