import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Stripe from 'stripe';
import { HTTP_STATUS, PennyError } from '../../contract/errors.js';
import { NetworkHealth } from '../../contract/network.js';
import { openNetworkDb, type NetworkDatabase, type OpenNetworkDbOptions } from '../db/open.js';
import { adminOps, ADMIN_OPS, type AdminOp } from './admin.js';
import { registerApi } from './api-routes.js';
import type { Net, NetLogger } from './context.js';
import { canViewEvidence, verifySignedRead } from './evidence-access.js';
import { currentUser } from './web/session.js';
import { handleStripeWebhook } from './recovery.js';
import { FsEvidenceStore, type EvidenceStore } from './storage.js';
import { safeEqual } from './util.js';
import { checkOutput } from './validate.js';
import { esc, page, html } from './web/html.js';
import { registerOps } from './web/ops-routes.js';
import { FILES_FIELD, registerPortal } from './web/portal-routes.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ASSETS: Record<string, string> = {
  'base.css': resolve(HERE, '../web/base.css'),
  'ops.css': resolve(HERE, '../ops/style.css'),
  'portal.css': resolve(HERE, '../portal/style.css'),
};

export interface NetworkServerOptions extends OpenNetworkDbOptions {
  /** Evidence folder; defaults to <dataDir>/objects. Required when there is no dataDir. */
  storageDir?: string;
  storage?: EvidenceStore;
  /** PENNY_NETWORK_SECRET: signs evidence links. */
  secret: string;
  stripe?: {
    secretKey: string;
    webhookSecret: string;
    /** Loopback fakes in tests; production leaves these unset. */
    host?: string;
    port?: number;
    protocol?: 'http' | 'https';
    /** Origin of the hosted checkout page, allowed as a form target in the CSP. */
    checkoutOrigin?: string;
  };
  /** How people reach this server (QR links, Stripe return URLs). Defaults to the listening address. */
  publicUrl?: string;
  clock?: () => number;
  version?: string;
  loginRateLimit?: { max: number; timeWindowMs: number };
  /** Bearer token for the local admin endpoint (the CLI reads it from the data dir's lock file). */
  adminToken?: string;
  logger?: NetLogger;
}

export interface NetworkServer {
  app: FastifyInstance;
  net: Net;
  database: NetworkDatabase;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const quietLogger: NetLogger = { info: () => {}, error: () => {} };
const isApi = (url: string) => url.startsWith('/v1/') || url.startsWith('/_admin/') || url.startsWith('/stripe/') || url === '/health';

export async function createNetworkServer(opts: NetworkServerOptions): Promise<NetworkServer> {
  if (!opts.secret || opts.secret.length < 16) throw new PennyError('invalid_input', 'the network secret (PENNY_NETWORK_SECRET) must be at least 16 characters');
  const storageDir = opts.storageDir ?? (opts.dataDir ? join(opts.dataDir, 'objects') : undefined);
  if (!opts.storage && !storageDir) throw new PennyError('invalid_input', 'evidence storage needs a data dir or a storage dir');
  const database = await openNetworkDb(opts);
  let listening = '';
  const stripe = opts.stripe
    ? new Stripe(opts.stripe.secretKey, {
        ...(opts.stripe.host ? { host: opts.stripe.host } : {}),
        ...(opts.stripe.port ? { port: opts.stripe.port } : {}),
        ...(opts.stripe.protocol ? { protocol: opts.stripe.protocol } : {}),
        maxNetworkRetries: 1,
      })
    : undefined;
  const net: Net = {
    db: database.db,
    now: opts.clock ?? Date.now,
    secret: Buffer.from(opts.secret),
    storage: opts.storage ?? new FsEvidenceStore(storageDir!),
    publicUrl: () => (opts.publicUrl ?? listening).replace(/\/$/, ''),
    stripe,
    stripeWebhookSecret: opts.stripe?.webhookSecret,
    vectorSearch: database.vectorSearch,
    log: opts.logger ?? quietLogger,
  };

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false });
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'", opts.stripe?.checkoutOrigin ?? 'https://checkout.stripe.com'],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(rateLimit, { global: false });
  const loginLimit = { max: opts.loginRateLimit?.max ?? 10, timeWindow: opts.loginRateLimit?.timeWindowMs ?? 60_000 };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Multipart (dispute attachments) is parsed by the platform's own FormData, no extra dependency.
  app.addContentTypeParser(/^multipart\/form-data/, { parseAs: 'buffer' }, (req, body, done) => {
    new Response(body as Buffer, { headers: { 'content-type': String(req.headers['content-type']) } })
      .formData()
      .then(async (fd) => {
        const out: Record<string, unknown> = {};
        const files: { name: string; mime: string; data: Buffer }[] = [];
        for (const [k, v] of fd.entries()) {
          if (typeof v === 'string') out[k] = v;
          else if (v.size > 0) files.push({ name: v.name, mime: v.type || 'application/octet-stream', data: Buffer.from(await v.arrayBuffer()) });
        }
        out[FILES_FIELD] = files;
        done(null, out);
      })
      .catch(() => done(new PennyError('invalid_input', 'the form upload could not be read'), undefined));
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    let shape: { code: keyof typeof HTTP_STATUS; message: string; details?: unknown };
    let status: number;
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (err instanceof PennyError) {
      shape = err.toJSON();
      status = HTTP_STATUS[err.code];
    } else if (e.statusCode === 429) {
      shape = { code: 'forbidden', message: 'Too many attempts. Wait a minute and try again.' };
      status = 429;
    } else if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      // Fastify's own rejections: malformed JSON, body too large, unsupported content type.
      shape = { code: 'invalid_input', message: e.message ?? 'bad request' };
      status = e.statusCode;
    } else {
      net.log.error('request failed', { url: req.routeOptions.url, error: e.message });
      shape = { code: 'internal', message: 'something went wrong on the server' };
      status = 500;
    }
    if (isApi(req.url)) return reply.code(status).send({ error: shape });
    const css = req.url.startsWith('/ops') ? 'ops' : 'portal';
    return reply.code(status).type('text/html; charset=utf-8').send(page({ title: status === 429 ? 'Please wait' : 'That did not work', css, body: html`<p>${shape.message}</p><p><a href="/${css}">Continue</a></p>` }));
  });
  app.setNotFoundHandler((req, reply) => {
    if (isApi(req.url)) return reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
    return reply.code(404).type('text/html; charset=utf-8').send(page({ title: 'Page not found', css: 'portal', body: html`<p>There is nothing at this address.</p>` }));
  });

  app.get('/health', async () =>
    checkOutput(NetworkHealth, { ok: true, db: database.kind, migrationVersion: database.migrationVersion, vectorSearch: database.vectorSearch, version: opts.version ?? '0.0.0' }),
  );
  app.get('/assets/:file', async (req, reply) => {
    const f = ASSETS[(req.params as { file: string }).file];
    if (!f) throw new PennyError('not_found', 'no such asset');
    return reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=300').send(readFileSync(f));
  });
  app.get('/', async (_req, reply) => reply.redirect('/portal/login', 302));

  registerApi(app, net);
  registerOps(app, net, loginLimit);
  registerPortal(app, net, loginLimit);

  // Signed evidence links: checked, audited, streamed with byte ranges so video can seek.
  app.get('/files/:kind/:id', async (req, reply) => {
    const { kind, id } = req.params as { kind: string; id: string };
    if (kind !== 'evidence' && kind !== 'attachment') throw new PennyError('not_found', 'no such file');
    const q = req.query as Record<string, string>;
    // A link is bound to the signed-in viewer it was made for: forwarded, it opens for nobody else.
    const viewer = await currentUser(net, req);
    if (!viewer || `user:${viewer.id}` !== q.v) throw new PennyError('forbidden', 'sign in as the person this link was made for');
    if (kind === 'evidence' && !(await canViewEvidence(net, { id: viewer.id, role: viewer.role, storeId: viewer.store_id, offenderId: viewer.offender_id }, id))) {
      throw new PennyError('forbidden', 'you cannot view this evidence');
    }
    if (kind === 'attachment' && viewer.role !== 'ops') throw new PennyError('forbidden', 'only Penny Ops can open dispute attachments');
    const f = await verifySignedRead(net, kind, id, q);
    reply.header('cache-control', 'private, no-store').header('accept-ranges', 'bytes').type(f.mime);
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range && (range[1] || range[2])) {
      let start = range[1] ? Number(range[1]) : Math.max(0, f.size - Number(range[2]));
      let end = range[1] && range[2] ? Number(range[2]) : f.size - 1;
      end = Math.min(end, f.size - 1);
      if (start > end || start >= f.size) return reply.code(416).header('content-range', `bytes */${f.size}`).send();
      start = Math.max(0, start);
      reply.code(206).header('content-range', `bytes ${start}-${end}/${f.size}`).header('content-length', end - start + 1);
      return reply.send(net.storage.read(f.storage_key, { start, end }));
    }
    reply.header('content-length', f.size);
    return reply.send(net.storage.read(f.storage_key));
  });

  // Stripe needs the exact bytes it signed, so this route keeps the raw body.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/stripe/webhook', async (req: FastifyRequest) => {
      const sig = req.headers['stripe-signature'];
      const r = await handleStripeWebhook(net, req.body as Buffer, Array.isArray(sig) ? sig[0] : sig);
      return { received: true, ...r };
    });
  });

  // Local admin endpoint for the CLI while this process owns the data dir.
  if (opts.adminToken) {
    const token = opts.adminToken;
    app.post('/_admin/:op', async (req) => {
      const remote = req.socket.remoteAddress ?? '';
      if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(remote)) throw new PennyError('forbidden', 'the admin endpoint answers only on this machine');
      const m = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '');
      if (!m || !safeEqual(m[1]!, token)) throw new PennyError('unauthenticated', 'admin token is not valid');
      const op = (req.params as { op: string }).op as AdminOp;
      if (!ADMIN_OPS.includes(op)) throw new PennyError('not_found', `no admin operation ${esc(op)}`);
      return { value: await (adminOps[op] as (n: Net, i: unknown) => Promise<unknown>)(net, req.body ?? {}) };
    });
  }

  return {
    app,
    net,
    database,
    async listen(port = 0, host = '127.0.0.1') {
      const addr = await app.listen({ port, host });
      listening = addr.replace('[::1]', 'localhost');
      return listening;
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
