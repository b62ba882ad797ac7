import { PennyError } from '../../contract/errors.js';
import type { Register, StoreProfile } from '../../contract/commands/store.js';
import type { AppDeps, DomainApp } from '../app.js';
import type { Db } from '../db/open.js';

interface StoreRow {
  id: number;
  name: string;
  timezone: string;
  address: string;
  updated_at: number;
}
interface RegisterRow {
  id: number;
  code: string;
  name: string;
  active: number;
}

export const isOnboarded = (db: Db) => !!db.prepare('SELECT 1 FROM store WHERE id = 1').get();

export function readStore(db: Db): StoreProfile {
  const r = db.prepare('SELECT * FROM store WHERE id = 1').get() as StoreRow | undefined;
  if (!r) throw new PennyError('not_found', 'The store is not set up yet. Finish onboarding first.');
  return { id: r.id, name: r.name, timezone: r.timezone, address: r.address, updatedAt: r.updated_at };
}

const toRegister = (r: RegisterRow): Register => ({ id: r.id, code: r.code, name: r.name, active: r.active === 1 });

export function createStoreApp(d: AppDeps): DomainApp {
  const { db, clock } = d;
  return {
    handlers: {
      'system.info': () => {
        const onboarded = isOnboarded(db);
        const name = onboarded ? readStore(db).name : null;
        const demo = (db.prepare("SELECT value FROM setting WHERE key = 'demo.store'").get() as { value: string } | undefined)?.value === 'true';
        return { version: d.version, onboarded, storeName: name, demo, now: clock.now() };
      },

      'store.get': () => readStore(db),

      'store.update': (input, ctx) =>
        db.transaction(() => {
          const before = readStore(db);
          db.prepare(
            'UPDATE store SET name = coalesce(?, name), timezone = coalesce(?, timezone), address = coalesce(?, address), updated_at = ? WHERE id = 1',
          ).run(input.name ?? null, input.timezone ?? null, input.address ?? null, clock.now());
          const after = readStore(db);
          const changed = (['name', 'timezone', 'address'] as const).filter((k) => before[k] !== after[k]);
          d.audit(ctx.actor, {
            action: 'store.update',
            entity: 'store',
            entityId: 1,
            details: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: after[k] }])),
          });
          d.events.emit('store.updated', { id: 1 });
          return after;
        })(),

      'registers.list': () => (db.prepare('SELECT * FROM register ORDER BY code').all() as RegisterRow[]).map(toRegister),

      'registers.save': (input, ctx) =>
        db.transaction(() => {
          const clash = db.prepare('SELECT id FROM register WHERE code = ? AND id IS NOT ?').get(input.code, input.id ?? null);
          if (clash) throw new PennyError('conflict', `A register with code "${input.code}" already exists.`, { field: 'code' });
          let id = input.id;
          if (id) {
            const res = db.prepare('UPDATE register SET code = ?, name = ?, active = ? WHERE id = ?').run(input.code, input.name, Number(input.active), id);
            if (res.changes === 0) throw new PennyError('not_found', `There is no register with id ${id}.`);
          } else {
            id = Number(
              db.prepare('INSERT INTO register (code, name, active, created_at) VALUES (?, ?, ?, ?)').run(input.code, input.name, Number(input.active), clock.now())
                .lastInsertRowid,
            );
          }
          d.audit(ctx.actor, { action: input.id ? 'register.update' : 'register.create', entity: 'register', entityId: id, details: { code: input.code, name: input.name, active: input.active } });
          return toRegister(db.prepare('SELECT * FROM register WHERE id = ?').get(id) as RegisterRow);
        })(),

      'registers.remove': ({ id }, ctx) =>
        db.transaction(() => {
          try {
            const res = db.prepare('DELETE FROM register WHERE id = ?').run(id);
            if (res.changes === 0) throw new PennyError('not_found', `There is no register with id ${id}.`);
          } catch (err) {
            if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
              throw new PennyError('conflict', 'This register has transactions or cameras linked to it. Deactivate it instead.');
            }
            throw err;
          }
          d.audit(ctx.actor, { action: 'register.remove', entity: 'register', entityId: id });
          return { ok: true as const };
        })(),
    },
  };
}
