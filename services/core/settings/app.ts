import { PennyError } from '../../contract/errors.js';
import { SETTINGS, settingSpec } from '../../contract/commands/settings.js';
import type { AppDeps, DomainApp } from '../app.js';
import type { Db } from '../db/open.js';
import type { SecretBox } from '../platform/secrets.js';
import { stmt } from '../db/statements.js';

interface SettingRow {
  key: string;
  value: string;
  encrypted: number;
}

/** Typed read of a setting for other domains (secrets decrypted). Returns undefined when unset. */
export function readSetting<T = unknown>(db: Db, secrets: SecretBox, key: string): T | undefined {
  const row = stmt(db, 'SELECT * FROM setting WHERE key = ?').get(key) as SettingRow | undefined;
  if (!row) return undefined;
  return JSON.parse(row.encrypted ? secrets.open(row.value) : row.value) as T;
}

export function createSettingsApp(d: AppDeps): DomainApp {
  const { db, clock } = d;

  const entry = (key: string) => {
    const s = settingSpec(key);
    if (!s) throw new PennyError('invalid_input', `Unknown setting "${key}".`, { field: 'key', known: Object.keys(SETTINGS) });
    const row = stmt(db, 'SELECT * FROM setting WHERE key = ?').get(key) as SettingRow | undefined;
    return {
      key,
      secret: !!s.secret,
      isSet: !!row,
      value: row && !s.secret ? (JSON.parse(row.value) as unknown) : null,
      doc: s.doc,
    };
  };

  return {
    handlers: {
      'settings.list': () => Object.keys(SETTINGS).map(entry),
      'settings.get': ({ key }) => entry(key),
      'settings.set': ({ key, value }, ctx) => {
        const s = settingSpec(key);
        if (!s) throw new PennyError('invalid_input', `Unknown setting "${key}".`, { field: 'key', known: Object.keys(SETTINGS) });
        return db.transaction(() => {
          if (value === null || value === undefined) {
            stmt(db, 'DELETE FROM setting WHERE key = ?').run(key);
          } else {
            const parsed = s.schema.safeParse(value);
            if (!parsed.success) {
              throw new PennyError('invalid_input', `${key}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`, { field: key });
            }
            const json = JSON.stringify(parsed.data);
            stmt(db, 
              'INSERT INTO setting (key, value, encrypted, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, encrypted = excluded.encrypted, updated_at = excluded.updated_at',
            ).run(key, s.secret ? d.secrets.seal(json) : json, s.secret ? 1 : 0, clock.now());
          }
          // Secret values never reach the audit trail, only that they changed.
          d.audit(ctx.actor, { action: 'setting.set', entity: 'setting', entityId: key, details: s.secret ? { secret: true, cleared: value == null } : { value } });
          d.events.emit('setting.changed', { key });
          return entry(key);
        })();
      },
    },
  };
}
