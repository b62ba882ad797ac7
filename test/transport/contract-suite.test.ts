import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../services/contract/index.js';
import { dispatch } from '../../services/transport/dispatch.js';
import { startHttpServer, type RunningHttpServer } from '../../services/transport/http-server.js';
import { ONBOARD, testCore, type TestCore } from '../helpers/core.js';

/** A transport as the renderer sees it: name + input + session in, Result out. */
interface Transport {
  invoke(name: string, input: unknown, session?: string): Promise<Result<any>>;
}

const transports: Record<string, () => Promise<{ t: Transport; tc: TestCore; server?: RunningHttpServer }>> = {
  'in-process': async () => {
    const tc = await testCore();
    return { tc, t: { invoke: (name, input, session) => dispatch(tc.core, name, input, { session }) } };
  },
  http: async () => {
    const tc = await testCore();
    const server = await startHttpServer({ core: tc.core });
    const base = `http://127.0.0.1:${server.port}`;
    return {
      tc,
      server,
      t: {
        async invoke(name, input, session) {
          const res = await fetch(`${base}/api/${name}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-penny-token': server.token, ...(session ? { 'x-penny-session': session } : {}) },
            body: JSON.stringify(input),
          });
          const body = (await res.json()) as Result<unknown>;
          // The HTTP status must agree with the result, so plain HTTP clients can rely on it.
          expect(res.status === 200).toBe(body.ok);
          return body;
        },
      },
    };
  },
};

for (const [kind, make] of Object.entries(transports)) {
  describe(`contract over ${kind}`, () => {
    let t: Transport;
    let tc: TestCore;
    let server: RunningHttpServer | undefined;
    let adminSession = '';

    beforeAll(async () => {
      ({ t, tc, server } = await make());
    });
    afterAll(async () => {
      await server?.close();
      await tc.close();
    });

    it('reports a fresh station as not onboarded', async () => {
      const r = await t.invoke('system.info', {});
      expect(r).toMatchObject({ ok: true, value: { onboarded: false, storeName: null } });
    });

    it('refuses commands that need a session before anyone signs in', async () => {
      const r = await t.invoke('store.get', {});
      expect(r).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    });

    it('names the field that is wrong', async () => {
      const r = await t.invoke('onboarding.complete', { ...ONBOARD, store: { ...ONBOARD.store, timezone: 'Central' } });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid_input');
        expect(r.error.message).toContain('store.timezone');
      }
    });

    it('onboards once, and a second onboarding is a conflict', async () => {
      const r = await t.invoke('onboarding.complete', ONBOARD);
      expect(r.ok).toBe(true);
      adminSession = r.ok ? r.value.token : '';
      const again = await t.invoke('onboarding.complete', ONBOARD);
      expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    });

    it('logs in, and a wrong password is unauthenticated with no hint which part was wrong', async () => {
      const bad = await t.invoke('auth.login', { username: 'admin', password: 'nope-nope' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'unauthenticated', message: 'Wrong username or password.' } });
      const unknown = await t.invoke('auth.login', { username: 'ghost', password: 'nope-nope' });
      expect(unknown).toMatchObject({ ok: false, error: { message: 'Wrong username or password.' } });
      const good = await t.invoke('auth.login', { username: 'ADMIN', password: ONBOARD.admin.password });
      expect(good).toMatchObject({ ok: true, value: { user: { username: 'admin', role: 'admin' } } });
    });

    it('lets an admin change the store profile, and records it in the audit trail', async () => {
      const r = await t.invoke('store.update', { name: 'Corner Fuel #14' }, adminSession);
      expect(r).toMatchObject({ ok: true, value: { name: 'Corner Fuel #14', timezone: 'America/Chicago' } });
      const audit = await t.invoke('audit.list', { entity: 'store' }, adminSession);
      expect(audit.ok && audit.value[0]).toMatchObject({ action: 'store.update', actor: expect.stringContaining('admin'), details: { name: { from: 'Corner Fuel #12', to: 'Corner Fuel #14' } } });
    });

    it('enforces roles: a viewer can read but not change settings or list users', async () => {
      const created = await t.invoke('users.create', { username: 'val', displayName: 'Val Viewer', role: 'viewer', password: 'viewer-pass-1' }, adminSession);
      expect(created.ok).toBe(true);
      const login = await t.invoke('auth.login', { username: 'val', password: 'viewer-pass-1' });
      const viewer = login.ok ? login.value.token : '';
      expect((await t.invoke('store.get', {}, viewer)).ok).toBe(true);
      expect(await t.invoke('store.update', { name: 'Hacked' }, viewer)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await t.invoke('settings.set', { key: 'ui.theme', value: 'dark' }, viewer)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await t.invoke('users.list', {}, viewer)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });

    it('keeps secrets out of responses and validates setting values', async () => {
      expect(await t.invoke('settings.set', { key: 'smtp.port', value: 'seventy' }, adminSession)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('smtp.port') } });
      expect(await t.invoke('settings.set', { key: 'no.such', value: 1 }, adminSession)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: 'Unknown setting "no.such".' } });
      const set = await t.invoke('settings.set', { key: 'smtp.password', value: 'hunter22' }, adminSession);
      expect(set).toMatchObject({ ok: true, value: { isSet: true, secret: true, value: null } });
      expect(JSON.stringify(await t.invoke('settings.list', {}, adminSession))).not.toContain('hunter22');
      const row = tc.core.db.prepare("SELECT value FROM setting WHERE key = 'smtp.password'").get() as { value: string };
      expect(row.value).not.toContain('hunter22');
    });

    it('ends the session on logout', async () => {
      const login = await t.invoke('auth.login', { username: 'admin', password: ONBOARD.admin.password });
      const s = login.ok ? login.value.token : '';
      expect((await t.invoke('auth.logout', {}, s)).ok).toBe(true);
      expect(await t.invoke('auth.me', {}, s)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    });

    it('answers an unknown command with not_found', async () => {
      expect(await t.invoke('nope.nothing', {}, adminSession)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });
  });
}

describe('http transport security', () => {
  let tc: TestCore;
  let server: RunningHttpServer;
  beforeAll(async () => {
    tc = await testCore();
    server = await startHttpServer({ core: tc.core });
  });
  afterAll(async () => {
    await server.close();
    await tc.close();
  });

  it('answers 401 without the launch token, and with a wrong one', async () => {
    const base = `http://127.0.0.1:${server.port}/api/system.info`;
    expect((await fetch(base, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(base, { method: 'POST', body: '{}', headers: { 'x-penny-token': 'x' + server.token.slice(1) } })).status).toBe(401);
    expect((await fetch(base, { method: 'POST', body: '{}', headers: { 'x-penny-token': server.token } })).status).toBe(200);
  });

  it('listens only on 127.0.0.1 and prints a URL carrying the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=${server.token}$`));
  });

  it('rejects malformed JSON with a clear 400', async () => {
    const r = await fetch(`http://127.0.0.1:${server.port}/api/system.info`, { method: 'POST', body: '{nope', headers: { 'x-penny-token': server.token } });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: { message: 'Request body is not valid JSON.' } });
  });
});
