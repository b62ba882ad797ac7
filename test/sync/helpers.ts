import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetworkServer, type NetworkServer } from '../../services/network/server/index.js';
import { adminOps } from '../../services/network/server/admin.js';
import type { TestCore } from '../helpers/core.js';

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A real network server on loopback, on PGlite kept in a folder so it can be stopped and started
 * again on the same port (a network restart mid-sync).
 */
export async function startNetwork(dir = mkdtempSync(join(tmpdir(), 'penny-syncnet-')), port = 0) {
  const server: NetworkServer = await createNetworkServer({ dataDir: join(dir, 'pg'), storageDir: join(dir, 'objects'), secret: 'sync-test-secret-0123456789', logger: { info: () => {}, error: () => {} } });
  const url = await server.listen(port);
  return {
    server,
    url,
    dir,
    port: Number(new URL(url).port),
    net: server.net,
    async close() {
      await server.close();
    },
    async destroy() {
      await server.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    async pairCode(storeName = 'Corner Fuel #12', region = 'North') {
      const store = await adminOps.storeAdd(server.net, { name: storeName, region });
      const code = await adminOps.pairCode(server.net, { storeId: store.id });
      return { code: code.code, storeId: store.id, regionId: store.regionId };
    },
  };
}
export type TestNet = Awaited<ReturnType<typeof startNetwork>>;

export type ProxyMode =
  | { kind: 'pass' }
  /** Each connection is cut (destroyed) once this many request bytes have gone upstream. */
  | { kind: 'cutAfter'; bytes: number }
  /** A share of connections are reset at once (TCP RST) or after some bytes. */
  | { kind: 'drop'; rate: number }
  /** Requests reach the server, but the response is thrown away and the client's socket closed. */
  | { kind: 'loseResponse' }
  /** Connections are accepted and then nothing happens. */
  | { kind: 'stall' }
  /** Each chunk forwarded upstream waits this long. */
  | { kind: 'slow'; delayMs: number };

/** A TCP proxy of the test's own between the station and the network. */
export async function startProxy(targetPort: () => number) {
  let mode: ProxyMode = { kind: 'pass' };
  const stats = { connections: 0, cut: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    stats.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const m = mode;
    if (m.kind === 'stall') return;
    if (m.kind === 'drop' && Math.random() < m.rate) {
      stats.cut++;
      // Half reset at once, half after the request started flowing.
      if (Math.random() < 0.5) return client.resetAndDestroy();
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const upstream = net.connect(targetPort(), '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let sent = 0;
    // Read live: a kept-alive connection follows the mode the test sets later.
    client.on('data', (buf: Buffer) => {
      const m = mode;
      // Kept-alive connections carry many requests: a drop is decided per request write too.
      if (m.kind === 'drop' && Math.random() < m.rate) {
        stats.cut++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      if (m.kind === 'cutAfter') {
        sent += buf.length;
        if (sent >= m.bytes) {
          stats.cut++;
          upstream.write(buf.subarray(0, Math.max(0, buf.length - (sent - m.bytes))));
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
      }
      if (m.kind === 'slow') {
        client.pause();
        setTimeout(() => {
          upstream.write(buf);
          client.resume();
        }, m.delayMs);
        return;
      }
      upstream.write(buf);
    });
    upstream.on('data', (buf: Buffer) => {
      if (mode.kind === 'loseResponse') {
        stats.cut++;
        client.resetAndDestroy();
        return;
      }
      client.write(buf);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    set(next: ProxyMode) {
      mode = next;
    },
    /** Cuts every open connection now. */
    cutAll() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Confirmed cases through the cases domain: a POS file of refunds (one exception each), a small
 * evidence clip per exception (clip rows written the way the video domain writes an imported clip),
 * then cases.create + cases.confirm. Returns the case ids and the clip bytes by name.
 */
export async function makeConfirmedCases(tc: TestCore, n: number, clipBytes = 4096, startAt = Date.UTC(2026, 0, 5, 15, 0)) {
  const lines = Array.from({ length: n }, (_, i) => {
    const t = new Date(startAt + i * 61_000);
    const ts = `${t.getUTCMonth() + 1}/${t.getUTCDate()}/${String(t.getUTCFullYear()).slice(2)} ${t.getUTCHours()}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
    return `${ts},Refund,-${60 + (i % 40)}.00,1,Cashier A\n`;
  });
  const f = join(tc.dir, `refunds-${startAt}-${n}.csv`);
  writeFileSync(f, 'Date,Type,Amount,Register,Cashier\n' + lines.join(''));
  await tc.sys('pos.import', { path: f });
  const before = new Set((tc.core.db.prepare('SELECT exception_id FROM case_exception').pluck().all() as number[]));
  const exIds = (tc.core.db.prepare("SELECT id FROM exception WHERE type = 'refund' ORDER BY id").pluck().all() as number[]).filter((id) => !before.has(id)).slice(-n);
  mkdirSync(join(tc.dir, 'clips', 'test'), { recursive: true });
  const clips = new Map<string, Buffer>();
  const ins = tc.core.db.prepare("INSERT INTO clip (exception_id, event_type, start_ms, end_ms, duration_ms, path, sha256, bytes, mode, created_at) VALUES (?, 'refund', ?, ?, 60000, ?, ?, ?, 'import', ?)");
  const caseIds: number[] = [];
  for (const ex of exIds) {
    const data = randomBytes(clipBytes);
    const rel = `clips/test/ex-${ex}.mp4`;
    writeFileSync(join(tc.dir, rel), data);
    ins.run(ex, startAt, startAt + 60_000, rel, sha(data), data.length, startAt);
    clips.set(`ex-${ex}.mp4`, data);
    const c = await tc.sys<{ id: number }>('cases.create', { exceptionIds: [ex] });
    await tc.sys('cases.confirm', { id: c.id, reason: 'Refund with no customer on the video' });
    caseIds.push(c.id);
  }
  return { caseIds, clips };
}

/** What the network holds for a store: cases, evidence, and whether every file's bytes hash to its manifest. */
export async function networkView(tn: TestNet, storeId: string) {
  const cases = await tn.net.db.selectFrom('cases').select(['id', 'station_case_ref', 'status', 'idempotency_key']).where('store_id', '=', storeId).execute();
  const evidence = await tn.net.db.selectFrom('evidence').select(['id', 'case_id', 'name', 'sha256', 'status', 'storage_key', 'size']).where('store_id', '=', storeId).execute();
  const hashesOk = await Promise.all(evidence.filter((e) => e.status === 'complete').map(async (e) => (await tn.net.storage.sha256(e.storage_key)) === e.sha256));
  return { cases, evidence, complete: evidence.filter((e) => e.status === 'complete').length, allHashesVerify: hashesOk.every(Boolean) };
}
