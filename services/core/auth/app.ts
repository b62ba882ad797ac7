import { createHash, randomBytes } from 'node:crypto';
import { PennyError } from '../../contract/errors.js';
import type { Role } from '../../contract/registry.js';
import type { User } from '../../contract/commands/auth.js';
import type { AppDeps, DomainApp } from '../app.js';
import type { Actor } from '../context.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { rowToUser, type UserRow } from './users-app.js';
import { isOnboarded } from '../store/app.js';

const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_FAILURES = 5;
const LOCK_MS = 5 * 60 * 1000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createAuthApp(d: AppDeps): DomainApp & { resolveSession(token: string): { actor: Actor; sessionHash: string } | null } {
  const { db, clock } = d;

  function issueSession(user: User) {
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    db.prepare('INSERT INTO session (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
      hashToken(token),
      user.id,
      now,
      now + SESSION_TTL_MS,
    );
    return { token, user, expiresAt: now + SESSION_TTL_MS };
  }

  function resolveSession(token: string) {
    const hash = hashToken(token);
    const row = db
      .prepare(
        `SELECT u.* FROM session s JOIN user u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
      )
      .get(hash, clock.now()) as UserRow | undefined;
    if (!row) return null;
    return {
      actor: { kind: 'user', userId: row.id, username: row.username, role: row.role as Role } as Actor,
      sessionHash: hash,
    };
  }

  return {
    resolveSession,
    handlers: {
      'onboarding.complete': async ({ store, admin }) => {
        const passwordHash = await hashPassword(admin.password);
        const now = clock.now();
        const user = db.transaction(() => {
          // Checked inside the transaction so two racing first-run forms cannot both win.
          if (isOnboarded(db)) throw new PennyError('conflict', 'This station is already set up. Sign in instead.');
          db.prepare('INSERT INTO store (id, name, timezone, address, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?)').run(
            store.name,
            store.timezone,
            store.address,
            now,
            now,
          );
          const id = Number(
            db
              .prepare(
                "INSERT INTO user (username, display_name, role, password_hash, created_at) VALUES (?, ?, 'admin', ?, ?)",
              )
              .run(admin.username, admin.displayName, passwordHash, now).lastInsertRowid,
          );
          const actor: Actor = { kind: 'user', userId: id, username: admin.username, role: 'admin' };
          d.audit(actor, { action: 'onboarding.complete', entity: 'store', entityId: 1, details: { name: store.name, timezone: store.timezone } });
          d.audit(actor, { action: 'user.create', entity: 'user', entityId: id, details: { role: 'admin' } });
          return rowToUser(db.prepare('SELECT * FROM user WHERE id = ?').get(id) as UserRow);
        })();
        return issueSession(user);
      },

      'auth.login': async ({ username, password }) => {
        const row = db.prepare('SELECT * FROM user WHERE username = ?').get(username) as UserRow | undefined;
        const now = clock.now();
        const bad = () => new PennyError('unauthenticated', 'Wrong username or password.');
        if (!row) {
          // Spend the same time as a real check so usernames cannot be probed by timing.
          await verifyPassword(password, 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
          throw bad();
        }
        if (row.locked_until > now) {
          const minutes = Math.ceil((row.locked_until - now) / 60000);
          throw new PennyError('forbidden', `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
        }
        const ok = await verifyPassword(password, row.password_hash);
        if (!ok) {
          const failures = row.failed_logins + 1;
          db.prepare('UPDATE user SET failed_logins = ?, locked_until = ? WHERE id = ?').run(
            failures >= MAX_FAILURES ? 0 : failures,
            failures >= MAX_FAILURES ? now + LOCK_MS : 0,
            row.id,
          );
          d.audit({ kind: 'anonymous' }, { action: 'auth.loginFailed', entity: 'user', entityId: row.id });
          throw bad();
        }
        if (row.disabled) throw new PennyError('forbidden', 'This account is disabled. Ask an admin to enable it.');
        db.prepare('UPDATE user SET failed_logins = 0, locked_until = 0 WHERE id = ?').run(row.id);
        const user = rowToUser(row);
        d.audit({ kind: 'user', userId: row.id, username: row.username, role: user.role }, { action: 'auth.login', entity: 'user', entityId: row.id });
        return issueSession(user);
      },

      'auth.logout': (_input, ctx) => {
        if (ctx.sessionHash) db.prepare('DELETE FROM session WHERE token_hash = ?').run(ctx.sessionHash);
        if (ctx.actor.kind === 'user') d.audit(ctx.actor, { action: 'auth.logout', entity: 'user', entityId: ctx.actor.userId });
        return { ok: true as const };
      },

      'auth.me': (_input, ctx) => {
        if (ctx.actor.kind !== 'user') throw new PennyError('not_found', 'No user is signed in (this is a system session).');
        const row = db.prepare('SELECT * FROM user WHERE id = ?').get(ctx.actor.userId) as UserRow | undefined;
        if (!row) throw new PennyError('not_found', 'user not found');
        return rowToUser(row);
      },

      'auth.changePassword': async ({ current, next }, ctx) => {
        if (ctx.actor.kind !== 'user') throw new PennyError('forbidden', 'Only a signed-in user can change their password.');
        const actor = ctx.actor;
        const row = db.prepare('SELECT * FROM user WHERE id = ?').get(actor.userId) as UserRow;
        if (!(await verifyPassword(current, row.password_hash))) {
          throw new PennyError('invalid_input', 'The current password is wrong.', { field: 'current' });
        }
        const hash = await hashPassword(next);
        db.transaction(() => {
          db.prepare('UPDATE user SET password_hash = ? WHERE id = ?').run(hash, actor.userId);
          db.prepare('DELETE FROM session WHERE user_id = ? AND token_hash != ?').run(actor.userId, ctx.sessionHash ?? '');
          d.audit(actor, { action: 'user.changePassword', entity: 'user', entityId: actor.userId });
        })();
        return { ok: true as const };
      },
    },
  };
}
