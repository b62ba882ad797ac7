import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PennyError } from '../../../contract/errors.js';
import type { Net } from '../context.js';
import { consumeNotice, incidentsFor, openDispute, peekNotice, startCheckout, type Attachment } from '../recovery.js';
import { checkLogin, createUser } from '../users.js';
import { csrfField, html, money, page, when, type Raw } from './html.js';
import { evidenceView } from './ops-routes.js';
import { checkCsrf, checkPreCsrf, currentUser, formOf, preCsrf, startSession, stopSession, type WebUser } from './session.js';

export const FILES_FIELD = '__files';

const nav = (u: WebUser): Raw => html`<nav aria-label="Account"><a href="/portal">My incidents</a><form method="post" action="/portal/logout" class="inline">${csrfField(u.csrf)}<button type="submit">Log out</button></form></nav>`;

export function registerPortal(app: FastifyInstance, net: Net, loginLimit: { max: number; timeWindow: number }) {
  const send = (reply: FastifyReply, p: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(p);
  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<WebUser | undefined> => {
    const u = await currentUser(net, req);
    if (!u) {
      reply.redirect('/portal/login', 303);
      return undefined;
    }
    if (u.role !== 'subject') throw new PennyError('forbidden', 'This page is for people who received a notice.');
    return u;
  };

  const welcome = (csrf: string, token: string, error?: string, status = 200) => (reply: FastifyReply) =>
    send(reply, page({
      title: 'You received a notice',
      css: 'portal',
      error,
      body: html`<p>A store in the Penny Network recorded an incident and sent you this notice. Create an account to see what was recorded, the amount, and the evidence. You can pay the amount or tell us if you think it is wrong.</p>
      <div class="two">
      <section aria-labelledby="su"><h2 id="su">Create an account</h2>
      <form method="post" action="/portal/signup">${csrfField(csrf)}<input type="hidden" name="token" value="${token}">
        <label for="su-email">E-mail</label><input id="su-email" name="email" type="email" autocomplete="email" required>
        <label for="su-pw">Password (at least 10 characters)</label><input id="su-pw" name="password" type="password" autocomplete="new-password" minlength="10" required>
        <button type="submit">Create account</button></form></section>
      <section aria-labelledby="li"><h2 id="li">Already have an account?</h2>${loginForm(csrf, token)}</section>
      </div>`,
    }), status);

  app.get('/r/:token', async (req, reply) => {
    const token = (req.params as { token: string }).token;
    try {
      await peekNotice(net, token);
    } catch (err) {
      if (!(err instanceof PennyError)) throw err;
      return send(reply, page({ title: 'This link cannot be used', css: 'portal', body: html`<p>${err.message}</p><p><a href="/portal/login">Log in</a></p>` }), err.code === 'not_found' ? 404 : 410);
    }
    return welcome(preCsrf(net, req, reply), token)(reply);
  });

  app.post('/portal/signup', { config: { rateLimit: loginLimit } }, async (req, reply) => {
    checkPreCsrf(req);
    const f = formOf(req);
    const token = f.token ?? '';
    try {
      const now = net.now();
      const userId = await net.db.transaction().execute(async (trx) => {
        const u = await createUser(trx, now, 'portal', { email: f.email ?? '', password: f.password ?? '', role: 'subject' });
        await consumeNotice(trx, now, token, u);
        return u.id;
      });
      await startSession(net, reply, userId);
      return reply.redirect('/portal', 303);
    } catch (err) {
      if (!(err instanceof PennyError)) throw err;
      return welcome(preCsrf(net, req, reply), token, err.message, err.code === 'conflict' ? 409 : 400)(reply);
    }
  });

  app.get('/portal/login', async (req, reply) => {
    return send(reply, page({ title: 'Log in', css: 'portal', body: loginForm(preCsrf(net, req, reply), '') }));
  });
  app.post('/portal/login', { config: { rateLimit: loginLimit } }, async (req, reply) => {
    checkPreCsrf(req);
    const f = formOf(req);
    try {
      const u = await checkLogin(net.db, f.email ?? '', f.password ?? '');
      if (u.role !== 'subject') throw new PennyError('unauthenticated', 'e-mail or password is not right');
      if (f.token) await net.db.transaction().execute((trx) => consumeNotice(trx, net.now(), f.token!, u));
      await startSession(net, reply, u.id);
      return reply.redirect('/portal', 303);
    } catch (err) {
      if (!(err instanceof PennyError)) throw err;
      return send(reply, page({ title: 'Log in', css: 'portal', error: err.message, body: loginForm(preCsrf(net, req, reply), f.token ?? '') }), err.code === 'unauthenticated' ? 401 : 409);
    }
  });
  app.post('/portal/logout', async (req, reply) => {
    const u = await currentUser(net, req);
    if (u) {
      checkCsrf(req, u);
      await stopSession(net, req, reply);
    }
    return reply.redirect('/portal/login', 303);
  });

  app.get('/portal', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const items = u.offender_id ? await incidentsFor(net, u.offender_id) : [];
    const open = items.filter((i) => i.status === 'open');
    const disputed = items.some((i) => i.status === 'disputed');
    const total = open.reduce((a, i) => a + i.amountCents, 0);
    const msg = (req.query as Record<string, string>).msg;
    const flash = msg === 'disputed' ? 'Thank you. Your dispute was sent to Penny Ops. Payment is paused until they decide.' : undefined;
    return send(reply, page({
      title: 'Your incidents',
      css: 'portal',
      nav: nav(u),
      flash,
      body: html`
      ${items.length === 0 ? html`<p>There are no incidents linked to this account.</p>` : ''}
      ${items.map((i) => html`<article class="card" data-debt="${i.id}">
        <h2>${i.storeName}</h2>
        <p>${when(i.occurredAt)} · Amount: <strong>${money(i.amountCents)}</strong> · Status: <strong data-debt-status>${statusWord(i.status)}</strong></p>
        <p>${i.summary}</p>
        ${i.evidence.map((e) => evidenceView(net, u, { ...e, status: 'complete' }))}
      </article>`)}
      ${disputed ? html`<p class="notice" role="status" data-paused>Payment is paused while Penny Ops reviews your dispute.</p>` : ''}
      ${open.length > 0 && !disputed ? html`
        <section aria-labelledby="pay"><h2 id="pay">Pay</h2><p>Total owed: <strong data-total>${money(total)}</strong>. Payment is in full, through Stripe.</p>
        <form method="post" action="/portal/pay">${csrfField(u.csrf)}<button type="submit">Pay now</button></form></section>
        <section aria-labelledby="dis"><h2 id="dis">Something wrong?</h2><p>If you think this is a mistake, tell us why. Payment is paused until Penny Ops reviews it.</p>
        <form method="post" action="/portal/dispute" enctype="multipart/form-data">${csrfField(u.csrf)}
          <label for="reason">What is wrong?</label><textarea id="reason" name="reason" rows="4" minlength="10" required></textarea>
          <label for="files">Attachments (optional: photos, PDF, up to 5)</label><input id="files" name="attachments" type="file" multiple accept="image/png,image/jpeg,image/webp,application/pdf,text/plain">
          <button type="submit" class="secondary">Send dispute</button></form></section>` : ''}
      ${open.length === 0 && items.length > 0 && !disputed ? html`<p class="flash" role="status" data-all-settled>Nothing is owed. Thank you.</p>` : ''}`,
    }));
  });

  app.post('/portal/pay', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    checkCsrf(req, u);
    const c = await startCheckout(net, u);
    return reply.redirect(c.url, 303);
  });
  app.get('/portal/paid', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    return send(reply, page({ title: 'Thank you', css: 'portal', nav: nav(u), body: html`<p>Your payment was sent. It can take a moment to be confirmed; your incidents page shows it as paid once it is.</p><p><a href="/portal">Back to my incidents</a></p>` }));
  });
  app.get('/portal/cancelled', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    return send(reply, page({ title: 'Payment cancelled', css: 'portal', nav: nav(u), body: html`<p>No payment was made. You can try again at any time.</p><p><a href="/portal">Back to my incidents</a></p>` }));
  });

  app.post('/portal/dispute', { bodyLimit: 60 * 1024 * 1024 }, async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    checkCsrf(req, u);
    const f = formOf(req);
    const files = ((req.body as Record<string, unknown>)[FILES_FIELD] as Attachment[] | undefined) ?? [];
    await openDispute(net, u, f.reason ?? '', files);
    return reply.redirect('/portal?msg=disputed', 303);
  });
}

function statusWord(s: string) {
  return s === 'open' ? 'Owed' : s === 'disputed' ? 'Disputed (paused)' : s === 'paid' ? 'Paid' : 'Cancelled';
}

function loginForm(csrf: string, token: string): Raw {
  return html`<form method="post" action="/portal/login">${csrfField(csrf)}${token ? html`<input type="hidden" name="token" value="${token}">` : ''}
    <label for="li-email">E-mail</label><input id="li-email" name="email" type="email" autocomplete="username" required>
    <label for="li-pw">Password</label><input id="li-pw" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Log in</button></form>`;
}
