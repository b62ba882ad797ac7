import type { Alert, AlertSource, Channel, Contact, Delivery } from '../../contract/commands/alerts.js';
import type { Severity } from '../../contract/commands/rules.js';
import type { Db } from '../db/open.js';

/** Row shapes of the alert tables and their mapping to contract objects. */

export interface ContactRow {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  channels: string;
  severities: string;
  sources: string;
  quiet_start: string | null;
  quiet_end: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface AlertRow {
  id: number;
  source: AlertSource;
  type: string | null;
  severity: Severity;
  title: string;
  body: string;
  link: string | null;
  register: string | null;
  entity: string | null;
  entity_id: string | null;
  thumbnail_path: string | null;
  dedupe_key: string | null;
  storm_id: number | null;
  status: Alert['status'];
  created_at: number;
}

export interface DeliveryRow {
  id: number;
  alert_id: number;
  channel: Channel;
  target: string;
  contact_id: number | null;
  address: string;
  state: Delivery['state'];
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  sent_at: number | null;
  provider_id: string | null;
  created_at: number;
}

export const toContact = (r: ContactRow): Contact => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  channels: JSON.parse(r.channels) as Contact['channels'],
  severities: JSON.parse(r.severities) as Contact['severities'],
  sources: JSON.parse(r.sources) as Contact['sources'],
  quietStart: r.quiet_start,
  quietEnd: r.quiet_end,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  alertId: r.alert_id,
  channel: r.channel,
  target: r.target,
  contactId: r.contact_id,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  sentAt: r.sent_at,
  providerId: r.provider_id,
});

export function toAlert(db: Db, r: AlertRow): Alert {
  const deliveries = db.prepare('SELECT * FROM alert_delivery WHERE alert_id = ? ORDER BY id').all(r.id) as DeliveryRow[];
  return {
    id: r.id,
    source: r.source,
    type: r.type,
    severity: r.severity,
    title: r.title,
    body: r.body,
    link: r.link,
    register: r.register,
    entity: r.entity,
    entityId: r.entity_id,
    status: r.status,
    stormId: r.storm_id,
    createdAt: r.created_at,
    deliveries: deliveries.map(toDelivery),
  };
}

export const getAlertRow = (db: Db, id: number) => db.prepare('SELECT * FROM alert WHERE id = ?').get(id) as AlertRow | undefined;

/**
 * Derives an alert's status from its deliveries. A dead-lettered delivery wins over pending ones so
 * the admin's failed list shows it at once.
 */
export function refreshAlertStatus(db: Db, alertId: number): Alert['status'] {
  const agg = db
    .prepare(
      "SELECT count(*) AS n, coalesce(sum(state IN ('pending', 'sending')), 0) AS p, coalesce(sum(state = 'dead'), 0) AS dead FROM alert_delivery WHERE alert_id = ?",
    )
    .get(alertId) as { n: number; p: number; dead: number };
  const cur = getAlertRow(db, alertId);
  if (!cur) return 'none';
  if (agg.n === 0) return cur.status;
  const status: Alert['status'] = agg.dead > 0 ? 'failed' : agg.p > 0 ? 'pending' : 'sent';
  if (status !== cur.status) db.prepare('UPDATE alert SET status = ? WHERE id = ?').run(status, alertId);
  return status;
}
