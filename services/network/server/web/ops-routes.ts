import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { PennyError } from '../../../contract/errors.js';
import type { Net } from '../context.js';
import { listCases } from '../cases.js';
import { signEvidenceUrl } from '../evidence-access.js';
import { approveCase, mergeOffenders, redactOffender, rejectCase, setOffenderExpiry, suggestLinks } from '../offenders.js';
import { resolveDispute } from '../recovery.js';
import { getSettings, NETWORK_SETTINGS, setSetting, type SettingKey } from '../settings.js';
import { createPairCode, listStores } from '../tenancy.js';
import { checkLogin } from '../users.js';
import { csrfField, html, money, page, when, type Raw } from './html.js';
import { checkCsrf, checkPreCsrf, currentUser, formOf, preCsrf, startSession, stopSession, type WebUser } from './session.js';

const MESSAGES: Record<string, string> = {
  approved: 'Case approved.',
  rejected: 'Case rejected.',
  merged: 'Profiles merged.',
  redacted: 'Face data deleted and the profile removed from the watchlist.',
  expiry: 'Expiry updated.',
  policy: 'Policy saved.',
  resolved: 'Dispute resolved; both sides were notified.',
};

const nav = (u: WebUser): Raw => html`<nav aria-label="Ops"><a href="/ops">Overview</a><a href="/ops/queue">Review queue</a><a href="/ops/offenders">Watchlist</a><a href="/ops/disputes">Disputes</a><a href="/ops/payments">Payments</a><a href="/ops/stores">Stores</a><a href="/ops/policy">Policy</a><form method="post" action="/ops/logout" class="inline">${csrfField(u.csrf)}<button type="submit">Log out</button></form></nav>`;

export function registerOps(app: FastifyInstance, net: Net, loginLimit: { max: number; timeWindow: number }) {
  const send = (reply: FastifyReply, p: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(p);
  const opsPage = (reply: FastifyReply, req: FastifyRequest, u: WebUser, title: string, body: Raw) => {
    const msg = (req.query as Record<string, string>).msg;
    return send(reply, page({ title, css: 'ops', nav: nav(u), body, flash: msg ? MESSAGES[msg] : undefined }));
  };
  /** Ops pages: no session → login page; someone else's session → 403. */
  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<WebUser | undefined> => {
    const u = await currentUser(net, req);
    if (!u) {
      reply.redirect('/ops/login', 303);
      return undefined;
    }
    if (u.role !== 'ops') throw new PennyError('forbidden', 'This area is for Penny Ops reviewers.');
    return u;
  };
  const post = (url: string, fn: (u: WebUser, f: Record<string, string>, req: FastifyRequest) => Promise<string>) =>
    app.post(url, async (req, reply) => {
      const u = await guard(req, reply);
      if (!u) return reply;
      checkCsrf(req, u);
      return reply.redirect(await fn(u, formOf(req), req), 303);
    });
  const id = (req: FastifyRequest) => (req.params as { id: string }).id;

  app.get('/ops/login', async (req, reply) => {
    const t = preCsrf(net, req, reply);
    return send(reply, page({ title: 'Sign in', css: 'ops', body: loginForm(t) }));
  });
  app.post('/ops/login', { config: { rateLimit: loginLimit } }, async (req, reply) => {
    checkPreCsrf(req);
    const f = formOf(req);
    try {
      const u = await checkLogin(net.db, f.email ?? '', f.password ?? '');
      if (u.role !== 'ops') throw new PennyError('unauthenticated', 'e-mail or password is not right');
      await startSession(net, reply, u.id);
      return reply.redirect('/ops', 303);
    } catch (err) {
      if (!(err instanceof PennyError)) throw err;
      return send(reply, page({ title: 'Sign in', css: 'ops', body: loginForm(preCsrf(net, req, reply)), error: err.message }), 401);
    }
  });
  app.post('/ops/logout', async (req, reply) => {
    const u = await currentUser(net, req);
    if (u) {
      checkCsrf(req, u);
      await stopSession(net, req, reply);
    }
    return reply.redirect('/ops/login', 303);
  });

  app.get('/ops', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const m = await metrics(net);
    return opsPage(reply, req, u, 'Overview', html`
      <section aria-labelledby="m"><h2 id="m">Metrics</h2>
      <dl class="metrics">
        <div><dt>Waiting for review</dt><dd data-metric="pending">${m.pending}</dd></div>
        <div><dt>Ingest → alert latency (median)</dt><dd data-metric="latency">${m.latencyMs === null ? 'no alerts yet' : `${(m.latencyMs / 1000).toFixed(1)} s`}</dd></div>
        <div><dt>False-positive rate (rejected / reviewed)</dt><dd data-metric="fpr">${pct(m.rejected, m.reviewed)}</dd></div>
        <div><dt>Confirmation rate (approved / reviewed)</dt><dd data-metric="confirm">${pct(m.approved, m.reviewed)}</dd></div>
        <div><dt>Evidence storage used</dt><dd data-metric="storage">${(m.storageBytes / 1024 / 1024).toFixed(1)} MB</dd></div>
        <div><dt>Open disputes</dt><dd>${m.openDisputes}</dd></div>
      </dl></section>`);
  });

  app.get('/ops/queue', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const rows = await listCases(net.db, 'pending_review');
    return opsPage(reply, req, u, 'Review queue', rows.length === 0 ? html`<p>Nothing is waiting for review.</p>` : html`
      <table><caption>Cases waiting for review, newest first</caption>
      <thead><tr><th scope="col">Case</th><th scope="col">Store</th><th scope="col">When</th><th scope="col">Amount</th><th scope="col">Summary</th></tr></thead>
      <tbody>${rows.map((c) => html`<tr><td><a href="/ops/cases/${c.id}">${c.id}</a></td><td>${c.storeName}</td><td>${when(c.occurredAt)}</td><td>${money(c.amountCents)}</td><td>${c.summary}</td></tr>`)}</tbody></table>`);
  });

  app.get('/ops/cases/:id', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const c = await net.db.selectFrom('cases').innerJoin('stores', 'stores.id', 'cases.store_id').selectAll('cases').select('stores.name as storeName').where('cases.id', '=', id(req)).executeTakeFirst();
    if (!c) throw new PennyError('not_found', 'No such case.');
    const ev = await net.db.selectFrom('evidence').selectAll().where('case_id', '=', c.id).orderBy('position').execute();
    const suggestions = c.status === 'pending_review' ? await suggestLinks(net, c.id) : [];
    const debug = c.debug as { detectorScores?: { label: string; score: number }[]; matchFrames?: { evidence: string; atMs: number }[] };
    return opsPage(reply, req, u, `Case ${c.id}`, html`
      <p>Status: <strong data-status>${c.status.replace('_', ' ')}</strong>. Store: ${c.storeName}. When: ${when(c.occurred_at)}. Amount: ${money(c.amount_cents)}.</p>
      <p>${c.summary}</p>
      <section aria-labelledby="ev"><h2 id="ev">Evidence</h2>${ev.map((e) => evidenceView(net, u, e))}</section>
      <section aria-labelledby="dbg"><h2 id="dbg">Model output</h2>
        <table><caption>Detector scores</caption><thead><tr><th scope="col">Label</th><th scope="col">Score</th></tr></thead>
        <tbody>${(debug.detectorScores ?? []).map((d) => html`<tr><td>${d.label}</td><td>${d.score.toFixed(3)}</td></tr>`)}</tbody></table>
        <table><caption>Frames used for matching</caption><thead><tr><th scope="col">Evidence</th><th scope="col">At</th></tr></thead>
        <tbody>${(debug.matchFrames ?? []).map((f) => html`<tr><td>${f.evidence}</td><td>${(f.atMs / 1000).toFixed(2)} s</td></tr>`)}</tbody></table>
      </section>
      ${c.status === 'pending_review' ? html`
      <section aria-labelledby="dec"><h2 id="dec">Decision</h2>
        <form method="post" action="/ops/cases/${c.id}/approve">${csrfField(u.csrf)}
          <fieldset><legend>Approve: link to a profile</legend>
            <label><input type="radio" name="offenderId" value="" checked> New profile</label>
            ${suggestions.map((s) => html`<label><input type="radio" name="offenderId" value="${s.offenderId}"> ${s.offenderId} (face distance ${s.distance.toFixed(3)})</label>`)}
          </fieldset>
          <label for="areason">Note (optional)</label><input id="areason" name="reason" maxlength="500">
          <button type="submit">Approve</button>
        </form>
        <form method="post" action="/ops/cases/${c.id}/reject">${csrfField(u.csrf)}
          <label for="rreason">Reason for rejecting</label><input id="rreason" name="reason" required maxlength="500">
          <button type="submit" class="secondary">Reject</button>
        </form>
      </section>` : html`<p>Decision: ${c.status}${c.review_reason ? ` — ${c.review_reason}` : ''}${c.offender_id ? html`, profile <a href="/ops/offenders#${c.offender_id}">${c.offender_id}</a>` : ''}.</p>`}`);
  });
  post('/ops/cases/:id/approve', async (u, f, req) => {
    await approveCase(net, u.id, id(req), f.offenderId || null, (f.reason ?? '').trim());
    return `/ops/cases/${id(req)}?msg=approved`;
  });
  post('/ops/cases/:id/reject', async (u, f, req) => {
    await rejectCase(net, u.id, id(req), f.reason ?? '');
    return `/ops/cases/${id(req)}?msg=rejected`;
  });

  app.get('/ops/offenders', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const rows = await net.db
      .selectFrom('offenders')
      .leftJoin('cases', (j) => j.onRef('cases.offender_id', '=', 'offenders.id').on('cases.status', '=', 'approved'))
      .select(['offenders.id', 'offenders.status', 'offenders.expires_at', 'offenders.region_id', sql<number>`count(distinct cases.store_id)::int`.as('stores'), sql<number>`count(cases.id)::int`.as('cases')])
      .where('offenders.status', 'in', ['candidate', 'network', 'removed'])
      .groupBy(['offenders.id', 'offenders.status', 'offenders.expires_at', 'offenders.region_id'])
      .orderBy('offenders.updated_at', 'desc')
      .limit(500)
      .execute();
    return opsPage(reply, req, u, 'Watchlist and profiles', html`
      <table><caption>Profiles (network = on the watchlist)</caption>
      <thead><tr><th scope="col">Profile</th><th scope="col">Status</th><th scope="col">Stores</th><th scope="col">Cases</th><th scope="col">Expires</th><th scope="col">Tools</th></tr></thead>
      <tbody>${rows.map((o) => html`<tr id="${o.id}"><td>${o.id}</td><td>${o.status}</td><td>${o.stores}</td><td>${o.cases}</td><td>${when(o.expires_at)}</td><td>
        ${o.status === 'network' ? html`<form method="post" action="/ops/offenders/${o.id}/expiry" class="inline">${csrfField(u.csrf)}<label for="exp-${o.id}">New expiry</label><input id="exp-${o.id}" type="date" name="date" required><button type="submit">Set</button></form>` : ''}
        <form method="post" action="/ops/offenders/${o.id}/redact" class="inline">${csrfField(u.csrf)}<button type="submit" class="secondary">Delete face data</button></form></td></tr>`)}</tbody></table>
      <section aria-labelledby="mg"><h2 id="mg">Merge two profiles</h2>
      <form method="post" action="/ops/offenders/merge">${csrfField(u.csrf)}
        <label for="src">Merge this profile</label><input id="src" name="sourceId" required>
        <label for="dst">into this profile</label><input id="dst" name="targetId" required>
        <button type="submit">Merge</button></form></section>`);
  });
  post('/ops/offenders/merge', async (u, f) => {
    await mergeOffenders(net, u.id, (f.sourceId ?? '').trim(), (f.targetId ?? '').trim());
    return '/ops/offenders?msg=merged';
  });
  post('/ops/offenders/:id/redact', async (u, _f, req) => {
    await redactOffender(net, u.id, id(req));
    return '/ops/offenders?msg=redacted';
  });
  post('/ops/offenders/:id/expiry', async (u, f, req) => {
    const at = Date.parse(`${f.date ?? ''}T00:00:00Z`);
    if (!Number.isFinite(at)) throw new PennyError('invalid_input', 'expiry date must look like 2026-12-31', { field: 'date' });
    await setOffenderExpiry(net, u.id, id(req), at);
    return '/ops/offenders?msg=expiry';
  });

  app.get('/ops/policy', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const s = await getSettings(net.db);
    return opsPage(reply, req, u, 'Network policy', html`
      <form method="post" action="/ops/policy">${csrfField(u.csrf)}
      ${Object.entries(NETWORK_SETTINGS).map(([k, def]) => html`<label for="${k}">${def.label}</label><input id="${k}" name="${k}" value="${String(s[k as SettingKey])}" required>`)}
      <button type="submit">Save policy</button></form>`);
  });
  post('/ops/policy', async (u, f) => {
    await net.db.transaction().execute(async (trx) => {
      for (const [k, def] of Object.entries(NETWORK_SETTINGS)) {
        if (f[k] === undefined) continue;
        const v = typeof def.default === 'number' ? (/^-?\d+$/.test(f[k]!.trim()) ? Number(f[k]) : f[k]) : f[k]!.trim();
        await setSetting(trx, net.now(), `user:${u.id}`, k, v);
      }
    });
    return '/ops/policy?msg=policy';
  });

  app.get('/ops/disputes', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const rows = await net.db.selectFrom('disputes').selectAll().orderBy('created_at', 'desc').limit(200).execute();
    const atts = rows.length ? await net.db.selectFrom('dispute_attachments').selectAll().where('dispute_id', 'in', rows.map((r) => r.id)).execute() : [];
    return opsPage(reply, req, u, 'Disputes', rows.length === 0 ? html`<p>No disputes.</p>` : html`${rows.map((d) => html`
      <article class="card" id="${d.id}"><h2>Dispute ${d.id}</h2>
      <p>Profile ${d.offender_id}. Opened ${when(d.created_at)}. Status: <strong>${d.status}</strong>${d.resolution ? ` — ${d.resolution}` : ''}.</p>
      <blockquote>${d.reason}</blockquote>
      ${atts.filter((a) => a.dispute_id === d.id).map((a) => html`<p><a href="${signEvidenceUrl(net, 'attachment', a.id, `user:${u.id}`)}">${a.name}</a> (${a.mime})</p>`)}
      ${d.status === 'open' ? html`<form method="post" action="/ops/disputes/${d.id}/resolve">${csrfField(u.csrf)}
        <label for="res-${d.id}">Decision, in plain words for both sides</label><input id="res-${d.id}" name="resolution" required>
        <button type="submit" name="decision" value="upheld">Accept dispute (cancel amount)</button>
        <button type="submit" name="decision" value="rejected" class="secondary">Reject dispute (resume payment)</button></form>` : ''}
      </article>`)}`);
  });
  post('/ops/disputes/:id/resolve', async (u, f, req) => {
    if (f.decision !== 'upheld' && f.decision !== 'rejected') throw new PennyError('invalid_input', 'decision must be upheld or rejected', { field: 'decision' });
    await resolveDispute(net, u.id, id(req), f.decision, f.resolution ?? '');
    return '/ops/disputes?msg=resolved';
  });

  app.get('/ops/payments', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const stores = await net.db
      .selectFrom('stores')
      .leftJoin('ledger_entries', 'ledger_entries.store_id', 'stores.id')
      .select(['stores.id', 'stores.name', sql<number>`coalesce(sum(gross_cents),0)::int`.as('gross'), sql<number>`coalesce(sum(store_share_cents),0)::int`.as('storeShare'), sql<number>`coalesce(sum(network_share_cents),0)::int`.as('networkShare')])
      .groupBy(['stores.id', 'stores.name'])
      .orderBy('stores.name')
      .execute();
    const pays = await net.db.selectFrom('payments').selectAll().orderBy('created_at', 'desc').limit(200).execute();
    return opsPage(reply, req, u, 'Payments and commissions', html`
      <table><caption>Per store: recovered, store share and network commission</caption>
      <thead><tr><th scope="col">Store</th><th scope="col">Recovered</th><th scope="col">Store share</th><th scope="col">Network commission</th><th scope="col">Payout file</th></tr></thead>
      <tbody>${stores.map((s) => html`<tr><td>${s.name}</td><td>${money(s.gross)}</td><td>${money(s.storeShare)}</td><td>${money(s.networkShare)}</td><td><a href="/ops/payouts.csv?store=${s.id}">CSV</a></td></tr>`)}</tbody></table>
      <table><caption>Payments</caption><thead><tr><th scope="col">Payment</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Receipt</th><th scope="col">Created</th></tr></thead>
      <tbody>${pays.map((p) => html`<tr><td>${p.id}</td><td>${p.status}</td><td>${money(p.amount_cents, p.currency)}</td><td>${p.receipt_number ?? '—'}</td><td>${when(p.created_at)}</td></tr>`)}</tbody></table>`);
  });
  app.get('/ops/payouts.csv', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const storeId = (req.query as Record<string, string>).store ?? '';
    const store = await net.db.selectFrom('stores').select(['id', 'name']).where('id', '=', storeId).executeTakeFirst();
    if (!store) throw new PennyError('not_found', 'No such store.', { field: 'store' });
    const rows = await net.db
      .selectFrom('ledger_entries')
      .innerJoin('debts', 'debts.id', 'ledger_entries.debt_id')
      .innerJoin('payments', 'payments.id', 'ledger_entries.payment_id')
      .select(['ledger_entries.created_at', 'debts.case_id', 'payments.receipt_number', 'ledger_entries.gross_cents', 'ledger_entries.rate_bps', 'ledger_entries.store_share_cents', 'ledger_entries.network_share_cents'])
      .where('ledger_entries.store_id', '=', storeId)
      .orderBy('ledger_entries.created_at')
      .execute();
    const cell = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const lines = [['paid_at_utc', 'case_id', 'receipt', 'gross_cents', 'commission_bps', 'store_share_cents', 'network_commission_cents'].join(',')];
    for (const r of rows) lines.push([new Date(r.created_at).toISOString(), r.case_id, r.receipt_number ?? '', r.gross_cents, r.rate_bps, r.store_share_cents, r.network_share_cents].map(cell).join(','));
    const total = rows.reduce((a, r) => a + r.store_share_cents, 0);
    lines.push(['TOTAL', '', '', rows.reduce((a, r) => a + r.gross_cents, 0), '', total, rows.reduce((a, r) => a + r.network_share_cents, 0)].map(cell).join(','));
    await net.db.insertInto('audit_log').values({ at: net.now(), actor: `user:${u.id}`, action: 'payout.exported', entity: 'store', entity_id: storeId, details: '{}' }).execute();
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="payout-${store.id}.csv"`).send(lines.join('\n') + '\n');
  });

  app.get('/ops/stores', async (req, reply) => {
    const u = await guard(req, reply);
    if (!u) return reply;
    const stores = await listStores(net.db);
    const code = (req.query as Record<string, string>).code;
    return opsPage(reply, req, u, 'Stores and stations', html`
      ${code ? html`<p class="flash" role="status">Pairing code (valid 24 hours, shown once): <strong class="code">${code}</strong></p>` : ''}
      <table><caption>Stores</caption><thead><tr><th scope="col">Store</th><th scope="col">Region</th><th scope="col">Pairing</th></tr></thead>
      <tbody>${stores.map((s) => html`<tr><td>${s.name} <small>${s.id}</small></td><td>${s.regionName}</td><td><form method="post" action="/ops/stores/${s.id}/pair-code" class="inline">${csrfField(u.csrf)}<button type="submit">New pairing code</button></form></td></tr>`)}</tbody></table>`);
  });
  post('/ops/stores/:id/pair-code', async (u, _f, req) => {
    const c = await net.db.transaction().execute((trx) => createPairCode(trx, net.now(), `user:${u.id}`, id(req)));
    return `/ops/stores?code=${encodeURIComponent(c.code)}`;
  });
}

function loginForm(csrf: string): Raw {
  return html`<form method="post" action="/ops/login">${csrfField(csrf)}
    <label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required>
    <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button></form>`;
}

export function evidenceView(net: Net, u: { id: string }, e: { id: string; name: string; kind: string; mime: string; status: string }): Raw {
  if (e.status !== 'complete') return html`<p>${e.name}: still uploading.</p>`;
  const url = signEvidenceUrl(net, 'evidence', e.id, `user:${u.id}`);
  if (e.kind === 'video') return html`<figure><video controls preload="metadata" src="${url}" data-evidence="${e.id}"></video><figcaption>${e.name}</figcaption></figure>`;
  if (e.kind === 'image') return html`<figure><img src="${url}" alt="Evidence image ${e.name}" data-evidence="${e.id}"><figcaption>${e.name}</figcaption></figure>`;
  return html`<p><a href="${url}" data-evidence="${e.id}">${e.name}</a></p>`;
}

const pct = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)}%`);

export async function metrics(net: Net) {
  const counts = await net.db.selectFrom('cases').select(['status', sql<number>`count(*)::int`.as('n')]).groupBy('status').execute();
  const n = (s: string) => counts.find((c) => c.status === s)?.n ?? 0;
  const lat = await sql<{ m: number | null }>`select percentile_cont(0.5) within group (order by created_at - case_received_at)::float8 as m from alerts`.execute(net.db);
  const disputes = await net.db.selectFrom('disputes').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'open').executeTakeFirst();
  return {
    pending: n('pending_review'),
    approved: n('approved'),
    rejected: n('rejected'),
    reviewed: n('approved') + n('rejected'),
    latencyMs: lat.rows[0]?.m ?? null,
    storageBytes: await net.storage.usedBytes(),
    openDisputes: disputes?.n ?? 0,
  };
}
