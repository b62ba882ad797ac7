import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetworkServer, type NetworkServer } from '../../services/network/server/index.js';
import { dropSchema } from '../../services/network/db/open.js';
import { adminOps } from '../../services/network/server/admin.js';
import { startStripeFake, type StripeFake } from './stripe-fake.js';

/** The suite runs on PGlite always, and on the machine's PostgreSQL too when DATABASE_URL is set. */
export const BACKENDS: ('pglite' | 'postgres')[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export const WEBHOOK_SECRET = 'whsec_test_' + 'a'.repeat(32);

export interface TestNetwork {
  server: NetworkServer;
  url: string;
  stripe: StripeFake;
  clock: { now: number; advance(ms: number): void };
  dir: string;
  close(): Promise<void>;
}

export async function startTestNetwork(backend: 'pglite' | 'postgres', opts: { loginMax?: number } = {}): Promise<TestNetwork> {
  const dir = mkdtempSync(join(tmpdir(), 'penny-net-'));
  const stripe = await startStripeFake(WEBHOOK_SECRET);
  const clock = { now: Date.UTC(2026, 2, 1, 15, 0, 0), advance(ms: number) { clock.now += ms; } };
  const schema = backend === 'postgres' ? `nt_${randomBytes(6).toString('hex')}` : undefined;
  const server = await createNetworkServer({
    databaseUrl: backend === 'postgres' ? process.env.DATABASE_URL : undefined,
    schema,
    storageDir: join(dir, 'objects'),
    secret: 'test-secret-' + randomBytes(16).toString('hex'),
    stripe: { secretKey: 'sk_test_fake', webhookSecret: WEBHOOK_SECRET, host: '127.0.0.1', port: stripe.port, protocol: 'http', checkoutOrigin: stripe.origin },
    clock: () => clock.now,
    loginRateLimit: { max: opts.loginMax ?? 1000, timeWindowMs: 60_000 },
    logger: { info: () => {}, error: (m, f) => console.error(m, f) },
  });
  const url = await server.listen(0);
  stripe.webhookUrl = `${url}/stripe/webhook`;
  return {
    server,
    url,
    stripe,
    clock,
    dir,
    async close() {
      await server.close();
      await stripe.close();
      if (schema) await dropSchema(process.env.DATABASE_URL!, schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A paired station of a new store: the station's view of the network API. */
export async function pairedStation(tn: TestNetwork, storeName: string, region: string) {
  const store = await adminOps.storeAdd(tn.server.net, { name: storeName, region });
  const code = await adminOps.pairCode(tn.server.net, { storeId: store.id });
  const r = await fetch(`${tn.url}/v1/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code, stationName: `${storeName} station` }) });
  if (r.status !== 200) throw new Error(`pairing failed: ${r.status} ${await r.text()}`);
  const paired = (await r.json()) as { apiKey: string; stationId: string; storeId: string; regionId: string };
  const auth = { authorization: `Bearer ${paired.apiKey}` };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${tn.url}${path}`, {
      method,
      headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    ...paired,
    store,
    call,
    put: (path: string, chunk: Buffer) => fetch(`${tn.url}${path}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: new Uint8Array(chunk) }),
    /** Sends a case and uploads all its evidence; returns the case id. */
    async sendCase(files: { name: string; kind: 'video' | 'image' | 'document'; mime: string; data: Buffer }[], extra: Partial<{ amountCents: number; faceTemplates: number[][]; ref: string; occurredAt: number }> = {}) {
      const key = `key-${randomBytes(8).toString('hex')}`;
      const r = await call(
        'POST',
        '/v1/cases',
        {
          stationCaseRef: extra.ref ?? `ref-${randomBytes(4).toString('hex')}`,
          occurredAt: extra.occurredAt ?? tn.clock.now - 3600_000,
          amountCents: extra.amountCents ?? 2599,
          summary: 'Items left without payment at register 2.',
          debug: { detectorScores: [{ label: 'person', score: 0.97 }], matchFrames: [{ evidence: files[0]!.name, atMs: 1200 }] },
          evidence: files.map((f) => ({ name: f.name, kind: f.kind, mime: f.mime, size: f.data.length, sha256: sha(f.data) })),
          faceTemplates: extra.faceTemplates ?? [],
        },
        { 'idempotency-key': key },
      );
      if (r.status !== 201) throw new Error(`case intake failed: ${r.status} ${JSON.stringify(r.body)}`);
      for (const [i, f] of files.entries()) {
        const ev = r.body.evidence[i];
        const up = await fetch(`${tn.url}/v1/cases/${r.body.id}/evidence/${ev.id}?offset=0`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: new Uint8Array(f.data) });
        if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${await up.text()}`);
      }
      return r.body.id as string;
    },
  };
}
export type Station = Awaited<ReturnType<typeof pairedStation>>;

/** A 128-d face template near `base` (same person) or random (someone else). */
export function faceVector(seed: number, noise = 0): number[] {
  let x = seed * 9301 + 49297;
  const rnd = () => ((x = (x * 9301 + 49297) % 233280) / 233280);
  const v = Array.from({ length: 128 }, () => rnd() - 0.5);
  return v.map((a) => a + (noise ? (Math.random() - 0.5) * noise : 0));
}

export async function opsUser(tn: TestNetwork, email = 'ops@example.test', password = 'correct horse battery') {
  await adminOps.opsUserAdd(tn.server.net, { email, password });
  return { email, password };
}
