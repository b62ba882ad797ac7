import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/penny.mjs');
const env = { ...process.env, PENNY_NETWORK_SECRET: 'cli-test-secret-0123456789', DATABASE_URL: '' };

function penny(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => done({ code: code ?? -1, out, err }));
    p.stdin.end(stdin);
  });
}

describe('penny network CLI (PGlite data dir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'penny-net-cli-'));
  let server: ChildProcess | undefined;
  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('works directly on the data dir, then through the running server, with the same results', async () => {
    const store = await penny(['--data-dir', dir, 'network', 'store', 'add', '--name', 'Corner Mart', '--region', 'Midwest', '--json']);
    expect(store.code, store.err).toBe(0);
    const s = JSON.parse(store.out);
    expect(s).toMatchObject({ name: 'Corner Mart', regionName: 'Midwest' });
    const ops = await penny(['--data-dir', dir, 'network', 'ops-user', 'add', '--email', 'ops@example.test', '--password-stdin'], 'a strong password 1\n');
    expect(ops.code, ops.err).toBe(0);
    expect(ops.out).toMatch(/Added Ops user ops@example.test/);
    expect(existsSync(join(dir, 'network.lock'))).toBe(false);

    server = spawn(process.execPath, [BIN, '--data-dir', dir, 'network', 'serve', '--port', '0', '--json'], { env });
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      server!.stdout!.on('data', (d) => {
        buf += d;
        const line = buf.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line).url);
      });
      server!.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    const lock = JSON.parse(readFileSync(join(dir, 'network.lock'), 'utf8'));
    expect(lock).toMatchObject({ pid: server.pid, adminUrl: url });
    expect((await (await fetch(`${url}/health`)).json()).db).toBe('pglite');

    // Through the server's admin endpoint: the code it makes pairs a station on that server.
    const code = await penny(['--data-dir', dir, 'network', 'pair-code', '--store', s.id, '--json']);
    expect(code.code, code.err).toBe(0);
    const pair = await fetch(`${url}/v1/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: JSON.parse(code.out).code, stationName: 'Till 1' }) });
    expect(pair.status).toBe(200);
    expect((await pair.json()).storeId).toBe(s.id);
    const list = await penny(['--data-dir', dir, 'network', 'cases', 'list', '--status', 'pending_review', '--json']);
    expect(list.code, list.err).toBe(0);
    expect(JSON.parse(list.out)).toEqual([]);
    const bad = await penny(['--data-dir', dir, 'network', 'cases', 'list', '--status', 'maybe']);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/status must be/);
    const missing = await penny(['--data-dir', dir, 'network', 'pair-code', '--store', 'st_nope']);
    expect(missing.code).toBe(4);
    // A second server on the same data dir is refused.
    const second = await penny(['--data-dir', dir, 'network', 'serve', '--port', '0']);
    expect(second.code).toBe(5);
    expect(second.err).toMatch(/in use by process/);

    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
    expect(existsSync(join(dir, 'network.lock'))).toBe(false);
    const after = await penny(['--data-dir', dir, 'network', 'cases', 'list', '--json']);
    expect(after.code, after.err).toBe(0);
  }, 90_000);
});
