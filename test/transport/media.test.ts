import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningHttpServer } from '../../services/transport/http-server.js';
import { fakeClock, ONBOARD, testCore, type TestCore } from '../helpers/core.js';

describe('signed media URLs over HTTP', () => {
  const clock = fakeClock(Date.now());
  let tc: TestCore;
  let server: RunningHttpServer;
  let base = '';
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

  beforeAll(async () => {
    tc = await testCore({ clock });
    await tc.sys('onboarding.complete', ONBOARD);
    mkdirSync(join(tc.dir, 'clips', '2026-01'), { recursive: true });
    writeFileSync(join(tc.dir, 'clips', '2026-01', 'a clip.mp4'), bytes);
    symlinkSync(join(tc.dir, 'penny.db'), join(tc.dir, 'clips', 'escape.mp4'));
    server = await startHttpServer({ core: tc.core });
    base = `http://127.0.0.1:${server.port}/`;
  });
  afterAll(async () => {
    await server.close();
    await tc.close();
  });

  const sign = (path: string) => tc.sys<{ url: string; expiresAt: number }>('media.url', { path });

  it('serves a signed clip, with byte ranges for seeking, and audits the view', async () => {
    const { url } = await sign('clips/2026-01/a clip.mp4');
    const whole = await fetch(base + url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await fetch(base + url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    const audit = await tc.sys<{ action: string; entityId: string }[]>('audit.list', { entity: 'media' });
    expect(audit[0]).toMatchObject({ action: 'media.view', entityId: 'clips/2026-01/a clip.mp4' });
  });

  it('refuses a tampered signature, an unsigned request and an expired link', async () => {
    const { url } = await sign('clips/2026-01/a clip.mp4');
    expect((await fetch(base + url.replace(/sig=./, 'sig=x'))).status).toBe(403);
    expect((await fetch(base + url.split('?')[0])).status).toBe(401);
    clock.advance(11 * 60 * 1000);
    const expired = await fetch(base + url);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: { message: 'media link expired; reload the page' } });
  });

  it('never signs or serves the database, keys, traversal or a symlink out of the folder', async () => {
    await expect(sign('penny.db')).rejects.toThrow(/only clips/);
    await expect(sign('clips/../penny.db')).rejects.toThrow(/without \.\./);
    await expect(sign('/etc/passwd')).rejects.toThrow(/relative to the data dir/);
    const { url } = await sign('clips/escape.mp4');
    expect((await fetch(base + url)).status).toBe(403);
  });
});
