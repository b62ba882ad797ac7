import type { z } from 'zod';
import { PennyError } from '../../contract/errors.js';
import { ALERT_SOURCES, type Contact, type ContactInput } from '../../contract/commands/alerts.js';
import type { AppDeps } from '../app.js';
import type { Actor } from '../context.js';
import { refreshAlertStatus, toContact, type ContactRow } from './records.js';

const DEFAULT_SEVERITIES = ['low', 'medium', 'high', 'critical'];

export const listContacts = (d: AppDeps): Contact[] => (d.db.prepare('SELECT * FROM contact ORDER BY name, id').all() as ContactRow[]).map(toContact);

export function getContact(d: AppDeps, id: number): Contact {
  const r = d.db.prepare('SELECT * FROM contact WHERE id = ?').get(id) as ContactRow | undefined;
  if (!r) throw new PennyError('not_found', `There is no contact with id ${id}.`, { field: 'id' });
  return toContact(r);
}

/** Adds or changes a contact. Fields not given keep their value (or a default for a new contact). */
export function saveContact(d: AppDeps, input: z.output<typeof ContactInput>, actor: Actor): Contact {
  const { db, clock } = d;
  return db.transaction(() => {
    const before = input.id ? getContact(d, input.id) : undefined;
    const email = input.email === undefined ? (before?.email ?? null) : input.email;
    const phone = input.phone === undefined ? (before?.phone ?? null) : input.phone;
    const channels = input.channels ?? before?.channels ?? [...(email ? ['email' as const] : []), ...(phone ? ['sms' as const] : [])];
    if (channels.includes('email') && !email) throw new PennyError('invalid_input', 'The e-mail channel needs an e-mail address.', { field: 'email' });
    if (channels.includes('sms') && !phone) throw new PennyError('invalid_input', 'The SMS channel needs a phone number.', { field: 'phone' });
    const quietStart = input.quietStart === undefined ? (before?.quietStart ?? null) : input.quietStart;
    const quietEnd = input.quietEnd === undefined ? (before?.quietEnd ?? null) : input.quietEnd;
    const values = [
      input.name,
      email,
      phone,
      JSON.stringify([...new Set(channels)]),
      JSON.stringify([...new Set(input.severities ?? before?.severities ?? DEFAULT_SEVERITIES)]),
      JSON.stringify([...new Set(input.sources ?? before?.sources ?? ALERT_SOURCES)]),
      quietStart,
      quietEnd,
      Number(input.enabled),
    ];
    const now = clock.now();
    let id = input.id;
    if (id) {
      db.prepare(
        'UPDATE contact SET name = ?, email = ?, phone = ?, channels = ?, severities = ?, sources = ?, quiet_start = ?, quiet_end = ?, enabled = ?, updated_at = ? WHERE id = ?',
      ).run(...values, now, id);
    } else {
      id = Number(
        db
          .prepare(
            'INSERT INTO contact (name, email, phone, channels, severities, sources, quiet_start, quiet_end, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(...values, now, now).lastInsertRowid,
      );
    }
    // Ids and choices only: the audit trail does not need the address itself.
    d.audit(actor, { action: input.id ? 'contact.update' : 'contact.create', entity: 'contact', entityId: id, details: { channels, hasEmail: !!email, hasPhone: !!phone } });
    return getContact(d, id);
  })();
}

export function removeContact(d: AppDeps, id: number, actor: Actor): void {
  d.db.transaction(() => {
    getContact(d, id);
    // Deliveries still waiting for this contact have nobody to go to any more.
    const waiting = d.db.prepare("SELECT DISTINCT alert_id AS id FROM alert_delivery WHERE contact_id = ? AND state IN ('pending', 'sending')").all(id) as { id: number }[];
    d.db.prepare("UPDATE alert_delivery SET state = 'dead', last_error = 'contact removed' WHERE contact_id = ? AND state IN ('pending', 'sending')").run(id);
    for (const a of waiting) refreshAlertStatus(d.db, a.id);
    d.db.prepare('DELETE FROM contact WHERE id = ?').run(id);
    d.audit(actor, { action: 'contact.remove', entity: 'contact', entityId: id });
  })();
}
