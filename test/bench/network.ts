/**
 * Case intake on loopback: POST /v1/cases (unique Idempotency-Key each) against a PGlite-backed
 * network server, measured with autocannon. Baseline in the same run: GET /health on the same
 * server (Fastify + auth-free route), so the figure shows what the case path itself costs.
 * Goal: ≥ 200 cases/s and p99 < 50 ms.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createNetworkServer } from '../../services/network/server/index.js';
import { adminOps } from '../../services/network/server/admin.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const dir = mkdtempSync(join(tmpdir(), 'penny-net-bench-'));
const server = await createNetworkServer({ dataDir: join(dir, 'db'), storageDir: join(dir, 'objects'), secret: randomBytes(24).toString('hex') });
const url = await server.listen(0);
const store = await adminOps.storeAdd(server.net, { name: 'Bench Store', region: 'Bench' });
const { code } = await adminOps.pairCode(server.net, { storeId: store.id });
const { apiKey } = (await (await fetch(`${url}/v1/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, stationName: 'bench' }) })).json()) as { apiKey: string };

const clip = randomBytes(1024);
const body = JSON.stringify({
  stationCaseRef: 'bench',
  occurredAt: Date.now(),
  amountCents: 1999,
  summary: 'Benchmark case',
  debug: { detectorScores: [{ label: 'person', score: 0.9 }], matchFrames: [] },
  evidence: [
    { name: 'clip.mp4', kind: 'video', mime: 'video/mp4', size: clip.length, sha256: createHash('sha256').update(clip).digest('hex') },
    { name: 'still.jpg', kind: 'image', mime: 'image/jpeg', size: clip.length, sha256: createHash('sha256').update(clip).digest('hex') },
  ],
  faceTemplates: process.env.BENCH_NO_FACES ? [] : [Array.from({ length: 128 }, () => Math.random() - 0.5)],
});

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

const baseline = await run({ url: `${url}/health`, connections: CONNECTIONS, duration: Math.max(3, DURATION / 2) });
let n = 0;
const intake = await run({
  url,
  connections: CONNECTIONS,
  duration: DURATION,
  requests: [
    {
      method: 'POST',
      path: '/v1/cases',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body,
      setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `bench-${process.pid}-${n++}` } }),
    },
  ],
});
const stored = await server.net.db.selectFrom('cases').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();

const line = (name: string, r: autocannon.Result) =>
  `${name.padEnd(22)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
console.log(`Penny Network intake on loopback, PGlite (vector: ${server.database.vectorSearch}), ${CONNECTIONS} connections, ${DURATION} s`);
console.log(line('baseline GET /health', baseline));
console.log(line('POST /v1/cases', intake));
console.log(`cases stored: ${Number(stored.n)}; intake/baseline throughput ratio ${(intake.requests.average / baseline.requests.average).toFixed(3)}`);
const okRate = intake.requests.average >= 200;
const okP99 = intake.latency.p99 < 50;
console.log(`goal ≥ 200 cases/s: ${okRate ? 'met' : 'NOT met'}; goal p99 < 50 ms: ${okP99 ? 'met' : 'NOT met'}`);
await server.close();
rmSync(dir, { recursive: true, force: true });
