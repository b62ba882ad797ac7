import { z } from 'zod';
import { PennyError } from '../../contract/errors.js';
import { audit, type Db } from './context.js';

/** Network-wide policy. Commission is the network's share of each recovered amount, in basis points. */
export const NETWORK_SETTINGS = {
  commission_rate_bps: { schema: z.number().int().min(0).max(10_000), default: 1000, label: 'Network commission on recovered amounts (basis points, 1000 = 10%)' },
  promote_confirms: { schema: z.number().int().min(1).max(10), default: 2, label: 'Confirmations from different stores needed to join the network watchlist' },
  promote_window_days: { schema: z.number().int().min(1).max(365), default: 14, label: 'Window for those confirmations (days)' },
  watchlist_ttl_days: { schema: z.number().int().min(1).max(3650), default: 365, label: 'Watchlist entries expire after (days)' },
  notice_ttl_days: { schema: z.number().int().min(1).max(60), default: 14, label: 'Notice links (QR) expire after (days)' },
  currency: { schema: z.enum(['usd', 'cad', 'eur', 'gbp']), default: 'usd', label: 'Currency for payments' },
} as const;
export type SettingKey = keyof typeof NETWORK_SETTINGS;
export type Settings = { [K in SettingKey]: z.output<(typeof NETWORK_SETTINGS)[K]['schema']> };

export async function getSettings(db: Db): Promise<Settings> {
  const rows = await db.selectFrom('network_settings').select(['key', 'value']).execute();
  const out: Record<string, unknown> = {};
  for (const [k, def] of Object.entries(NETWORK_SETTINGS)) out[k] = def.default;
  for (const r of rows) if (r.key in NETWORK_SETTINGS) out[r.key] = r.value;
  return out as Settings;
}

export async function setSetting(db: Db, now: number, actor: string, key: string, raw: unknown): Promise<void> {
  const def = NETWORK_SETTINGS[key as SettingKey];
  if (!def) throw new PennyError('invalid_input', `unknown network setting "${key}"`, { field: key });
  const parsed = def.schema.safeParse(raw);
  if (!parsed.success) throw new PennyError('invalid_input', `${key}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`, { field: key });
  const value = JSON.stringify(parsed.data);
  await db
    .insertInto('network_settings')
    .values({ key, value, updated_at: now, updated_by: actor })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: actor }))
    .execute();
  await audit(db, now, actor, 'setting.changed', 'setting', key, { value: parsed.data });
}
