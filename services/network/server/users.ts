import { hashPassword, verifyPassword } from '../../core/auth/passwords.js';
import { PennyError } from '../../contract/errors.js';
import { audit, type Db } from './context.js';
import { newId, randomToken, sha256Hex } from './util.js';
import type { NetworkDB } from '../db/schema.js';

export type UserRow = NetworkDB['users'];
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL.test(e) || e.length > 254) throw new PennyError('invalid_input', 'enter a valid e-mail address', { field: 'email' });
  return e;
}
export function checkPassword(pw: string) {
  if (pw.length < 10) throw new PennyError('invalid_input', 'password must be at least 10 characters', { field: 'password' });
  if (pw.length > 200) throw new PennyError('invalid_input', 'password must be at most 200 characters', { field: 'password' });
}

export async function createUser(
  db: Db,
  now: number,
  actor: string,
  u: { email: string; password: string; role: UserRow['role']; storeId?: string | null; offenderId?: string | null },
) {
  const email = normalizeEmail(u.email);
  checkPassword(u.password);
  const exists = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (exists) throw new PennyError('conflict', 'an account with this e-mail already exists; log in instead', { field: 'email' });
  const row: UserRow = {
    id: newId('usr'),
    email,
    password_hash: await hashPassword(u.password),
    role: u.role,
    store_id: u.storeId ?? null,
    offender_id: u.offenderId ?? null,
    created_at: now,
  };
  await db.insertInto('users').values(row).execute();
  await audit(db, now, actor, 'user.created', 'user', row.id, { role: row.role });
  return row;
}

/** Same answer and similar time for an unknown e-mail and a wrong password. */
export async function checkLogin(db: Db, email: string, password: string): Promise<UserRow> {
  let e: string;
  try {
    e = normalizeEmail(email);
  } catch {
    throw new PennyError('unauthenticated', 'e-mail or password is not right');
  }
  const user = await db.selectFrom('users').selectAll().where('email', '=', e).executeTakeFirst();
  const ok = await verifyPassword(password, user?.password_hash ?? 'scrypt$16384$8$1$AAAA$AAAA');
  if (!user || !ok) throw new PennyError('unauthenticated', 'e-mail or password is not right');
  return user;
}

export async function createSession(db: Db, now: number, userId: string) {
  const token = randomToken(32);
  const csrf = randomToken(24);
  await db.insertInto('sessions').values({ id_hash: sha256Hex(token), user_id: userId, csrf, created_at: now, expires_at: now + SESSION_TTL_MS }).execute();
  return { token, csrf };
}

export async function sessionUser(db: Db, now: number, token: string | undefined) {
  if (!token) return undefined;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.csrf', 'sessions.expires_at'])
    .where('sessions.id_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  return row;
}

export async function endSession(db: Db, token: string | undefined) {
  if (token) await db.deleteFrom('sessions').where('id_hash', '=', sha256Hex(token)).execute();
}
