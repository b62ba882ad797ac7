import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PennyError } from '../../../contract/errors.js';
import type { Net } from '../context.js';
import { createSession, endSession, sessionUser } from '../users.js';
import { randomToken, safeEqual } from '../util.js';

export const SESSION_COOKIE = 'pn_sid';
const PRE_COOKIE = 'pn_pre';

export type WebUser = NonNullable<Awaited<ReturnType<typeof sessionUser>>>;

export function cookieOpts(net: Net) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: net.publicUrl().startsWith('https:') };
}

export async function currentUser(net: Net, req: FastifyRequest): Promise<WebUser | undefined> {
  return sessionUser(net.db, net.now(), req.cookies[SESSION_COOKIE]);
}

export async function startSession(net: Net, reply: FastifyReply, userId: string) {
  const s = await createSession(net.db, net.now(), userId);
  reply.setCookie(SESSION_COOKIE, s.token, cookieOpts(net));
  return s;
}
export async function stopSession(net: Net, req: FastifyRequest, reply: FastifyReply) {
  await endSession(net.db, req.cookies[SESSION_COOKIE]);
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** Before login there is no session: a double-submit cookie protects the login and signup forms. */
export function preCsrf(net: Net, req: FastifyRequest, reply: FastifyReply): string {
  const existing = req.cookies[PRE_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{20,}$/.test(existing)) return existing;
  const t = randomToken(24);
  reply.setCookie(PRE_COOKIE, t, cookieOpts(net));
  return t;
}

export function formOf(req: FastifyRequest): Record<string, string> {
  const b = req.body;
  if (!b || typeof b !== 'object' || Buffer.isBuffer(b)) throw new PennyError('invalid_input', 'expected a form submission');
  return b as Record<string, string>;
}

export function checkPreCsrf(req: FastifyRequest) {
  const cookie = req.cookies[PRE_COOKIE];
  const field = formOf(req)._csrf;
  if (!cookie || !field || !safeEqual(cookie, String(field))) throw new PennyError('forbidden', 'The form expired. Go back, reload the page and try again.');
}
export function checkCsrf(req: FastifyRequest, user: WebUser) {
  const field = formOf(req)._csrf;
  if (!field || !safeEqual(user.csrf, String(field))) throw new PennyError('forbidden', 'The form expired. Go back, reload the page and try again.');
}
