import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/**
 * A loopback stand-in for Stripe's Checkout Sessions API (form-encoded requests, JSON answers,
 * Idempotency-Key) plus a hosted "checkout page" that, when paid, sends a signed
 * `checkout.session.completed` webhook with Stripe's real signing scheme and redirects back.
 */
export interface FakeSession {
  id: string;
  object: 'checkout.session';
  url: string;
  amount_total: number;
  currency: string;
  metadata: Record<string, string>;
  client_reference_id: string | null;
  payment_status: 'unpaid' | 'paid';
  status: 'open' | 'complete' | 'expired';
  success_url: string;
  cancel_url: string;
  mode: string;
}

export interface StripeFake {
  port: number;
  origin: string;
  sessions: Map<string, FakeSession>;
  requests: { method: string; path: string; auth: string | undefined }[];
  /** Where completed payments are announced; set once the network server listens. */
  webhookUrl: string;
  event(type: string, session: FakeSession, id?: string): { payload: string; id: string };
  sign(payload: string, secret?: string): string;
  deliver(payload: string, secret?: string): Promise<Response>;
  complete(id: string): Promise<Response>;
  close(): Promise<void>;
}

const stripeForSigning = new Stripe('sk_test_signing_only');

export async function startStripeFake(webhookSecret: string): Promise<StripeFake> {
  const sessions = new Map<string, FakeSession>();
  const byKey = new Map<string, string>();
  const requests: StripeFake['requests'] = [];
  const fake: StripeFake = {
    port: 0,
    origin: '',
    sessions,
    requests,
    webhookUrl: '',
    event(type, session, id = `evt_${randomBytes(10).toString('hex')}`) {
      const payload = JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), livemode: false, data: { object: session } });
      return { payload, id };
    },
    sign(payload, secret = webhookSecret) {
      return stripeForSigning.webhooks.generateTestHeaderString({ payload, secret });
    },
    deliver(payload, secret = webhookSecret) {
      return fetch(fake.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': fake.sign(payload, secret) }, body: payload });
    },
    async complete(id) {
      const s = sessions.get(id);
      if (!s) throw new Error(`no session ${id}`);
      s.status = 'complete';
      s.payment_status = 'paid';
      return fake.deliver(fake.event('checkout.session.completed', s).payload);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', fake.origin);
        requests.push({ method: req.method ?? '', path: url.pathname, auth: req.headers.authorization });
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` });
          res.end(JSON.stringify(body));
        };
        if (!String(req.headers.authorization ?? '').startsWith('Bearer sk_')) return json(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
        if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
          const key = String(req.headers['idempotency-key'] ?? '');
          if (key && byKey.has(key)) return json(200, sessions.get(byKey.get(key)!));
          const f = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
          const unit = Number(f.get('line_items[0][price_data][unit_amount]'));
          const qty = Number(f.get('line_items[0][quantity]') ?? '1');
          if (!Number.isInteger(unit) || unit <= 0) return json(400, { error: { type: 'invalid_request_error', param: 'line_items[0][price_data][unit_amount]', message: 'Invalid integer' } });
          const metadata: Record<string, string> = {};
          for (const [k, v] of f) {
            const m = /^metadata\[(.+)\]$/.exec(k);
            if (m) metadata[m[1]!] = v;
          }
          const id = `cs_test_${randomBytes(12).toString('hex')}`;
          const s: FakeSession = {
            id,
            object: 'checkout.session',
            url: `${fake.origin}/pay/${id}`,
            amount_total: unit * qty,
            currency: f.get('line_items[0][price_data][currency]') ?? 'usd',
            metadata,
            client_reference_id: f.get('client_reference_id'),
            payment_status: 'unpaid',
            status: 'open',
            success_url: f.get('success_url') ?? '',
            cancel_url: f.get('cancel_url') ?? '',
            mode: f.get('mode') ?? '',
          };
          sessions.set(id, s);
          if (key) byKey.set(key, id);
          return json(200, s);
        }
        const get = /^\/v1\/checkout\/sessions\/([\w]+)$/.exec(url.pathname);
        if (req.method === 'GET' && get) {
          const s = sessions.get(get[1]!);
          return s ? json(200, s) : json(404, { error: { type: 'invalid_request_error', message: `No such checkout.session: '${get[1]}'` } });
        }
        return json(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` } });
      })().catch((err) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  // The hosted checkout page is a browser page, not API: no API key.
  const apiHandler = server.listeners('request')[0] as (...a: unknown[]) => void;
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', fake.origin);
    const pay = /^\/pay\/([\w]+)$/.exec(url.pathname);
    if (!pay) return apiHandler(req, res);
    const s = sessions.get(pay[1]!);
    if (!s) {
      res.writeHead(404);
      return res.end('no such session');
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(`<!doctype html><title>Fake Checkout</title><h1>Pay ${(s.amount_total / 100).toFixed(2)} ${s.currency.toUpperCase()}</h1><form method="post"><button type="submit">Pay</button></form>`);
    }
    req.resume();
    req.on('end', () => {
      void fake.complete(s.id).then(async (r) => {
        await r.text();
        res.writeHead(303, { location: s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id) });
        res.end();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.port = (server.address() as AddressInfo).port;
  fake.origin = `http://127.0.0.1:${fake.port}`;
  return fake;
}
