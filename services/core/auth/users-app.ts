import { PennyError } from '../../contract/errors.js';
import type { User } from '../../contract/commands/auth.js';
import type { Role } from '../../contract/registry.js';
import type { AppDeps, DomainApp } from '../app.js';
import { hashPassword } from './passwords.js';

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  disabled: number;
  failed_logins: number;
  locked_until: number;
  created_at: number;
}

export const rowToUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role as Role,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
});

export function createUsersApp(d: AppDeps): DomainApp {
  const { db, clock } = d;
  const byId = (id: number) => {
    const row = db.prepare('SELECT * FROM user WHERE id = ?').get(id) as UserRow | undefined;
    if (!row) throw new PennyError('not_found', `There is no user with id ${id}.`);
    return row;
  };
  const activeAdmins = () =>
    (db.prepare("SELECT count(*) n FROM user WHERE role = 'admin' AND disabled = 0").get() as { n: number }).n;

  return {
    handlers: {
      'users.list': () => (db.prepare('SELECT * FROM user ORDER BY username').all() as UserRow[]).map(rowToUser),

      'users.create': async (input, ctx) => {
        const hash = await hashPassword(input.password);
        return db.transaction(() => {
          if (db.prepare('SELECT 1 FROM user WHERE username = ?').get(input.username)) {
            throw new PennyError('conflict', `The username "${input.username}" is taken.`, { field: 'username' });
          }
          const id = Number(
            db
              .prepare('INSERT INTO user (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
              .run(input.username, input.displayName, input.role, hash, clock.now()).lastInsertRowid,
          );
          d.audit(ctx.actor, { action: 'user.create', entity: 'user', entityId: id, details: { role: input.role } });
          return rowToUser(byId(id));
        })();
      },

      'users.update': async (input, ctx) => {
        const hash = input.password ? await hashPassword(input.password) : undefined;
        return db.transaction(() => {
          const before = byId(input.id);
          const losesAdmin =
            before.role === 'admin' && before.disabled === 0 && ((input.role && input.role !== 'admin') || input.disabled === true);
          if (losesAdmin && activeAdmins() <= 1) {
            throw new PennyError('conflict', 'This is the last active admin. Make another user admin first.');
          }
          db.prepare(
            `UPDATE user SET display_name = coalesce(?, display_name), role = coalesce(?, role),
               disabled = coalesce(?, disabled), password_hash = coalesce(?, password_hash) WHERE id = ?`,
          ).run(input.displayName ?? null, input.role ?? null, input.disabled === undefined ? null : Number(input.disabled), hash ?? null, input.id);
          if (input.disabled || hash) db.prepare('DELETE FROM session WHERE user_id = ?').run(input.id);
          const changed = Object.keys(input).filter((k) => k !== 'id' && k !== 'password');
          if (hash) changed.push('password');
          d.audit(ctx.actor, { action: 'user.update', entity: 'user', entityId: input.id, details: { changed, role: input.role } });
          return rowToUser(byId(input.id));
        })();
      },
    },
  };
}
