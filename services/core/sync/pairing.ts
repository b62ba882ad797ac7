import type { AppDeps } from '../app.js';

export interface PairingRow {
  url: string;
  station_id: string;
  store_id: string;
  region_id: string;
  api_key_sealed: string;
  paired_at: number;
  revoked_at: number | null;
  connection: 'unknown' | 'online' | 'offline' | 'revoked';
  last_push_at: number | null;
  last_pull_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
}

export const getPairing = (d: AppDeps) => d.db.prepare('SELECT * FROM sync_pairing WHERE id = 1').get() as PairingRow | undefined;

/** The station's connection, with the API key opened from its sealed form. */
export function connection(d: AppDeps): { url: string; apiKey: string; row: PairingRow } | undefined {
  const row = getPairing(d);
  if (!row) return undefined;
  return { url: row.url, apiKey: d.secrets.open(row.api_key_sealed), row };
}

export function setConnection(d: AppDeps, state: PairingRow['connection'], error: string | null) {
  const now = d.clock.now();
  if (error) d.db.prepare('UPDATE sync_pairing SET connection = ?, last_error = ?, last_error_at = ?, revoked_at = CASE WHEN ? = \'revoked\' THEN COALESCE(revoked_at, ?) ELSE revoked_at END WHERE id = 1').run(state, error, now, state, now);
  else d.db.prepare('UPDATE sync_pairing SET connection = ?, last_error = NULL WHERE id = 1').run(state);
}

export function cursor(d: AppDeps, feed: string): number {
  return (d.db.prepare('SELECT cursor FROM sync_cursor WHERE feed = ?').get(feed) as { cursor: number } | undefined)?.cursor ?? 0;
}
export function setCursor(d: AppDeps, feed: string, value: number) {
  d.db.prepare('INSERT INTO sync_cursor (feed, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT(feed) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at').run(feed, value, d.clock.now());
}
