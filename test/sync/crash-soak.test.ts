import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONBOARD, testCore, tempDir, type TestCore } from '../helpers/core.js';
import { makeConfirmedCases, networkView, startNetwork, startProxy, type TestNet } from './helpers.js';

type Run = { pending: number };

async function syncUntilDone(tc: TestCore, maxRuns = 80) {
  for (let i = 0; i < maxRuns; i++) if ((await tc.sys<Run>('sync.run', { push: true })).pending === 0) return i + 1;
  throw new Error('sync did not finish');
}

describe('sync through crashes and a lossy link', () => {
  let tn: TestNet;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    tn = await startNetwork();
    proxy = await startProxy(() => tn.port);
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await tn?.destroy();
  });

  it('loses nothing and duplicates nothing when the station is killed -9 mid-sync', async () => {
    const tmp = tempDir('penny-synccrash-');
    let tc = await testCore({ dir: tmp.dir });
    await tc.sys('onboarding.complete', ONBOARD);
    await tc.sys('settings.set', { key: 'sync.chunkKb', value: 16 });
    // Slow link so the child is surely mid-upload when it dies.
    proxy.set({ kind: 'slow', delayMs: 25 });
    const p = await tn.pairCode('Crash Store', 'East');
    await tc.sys('sync.pair', { url: proxy.url, code: p.code });
    proxy.set({ kind: 'stall' });
    const { caseIds } = await makeConfirmedCases(tc, 12, 80_000);
    await tc.close();
    proxy.cutAll();
    proxy.set({ kind: 'slow', delayMs: 25 });

    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['bin/penny.mjs', '--data-dir', tmp.dir, 'sync', 'run', '--push', '--json'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 1500 + round * 500));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    proxy.cutAll();
    proxy.set({ kind: 'pass' });
    tc = await testCore({ dir: tmp.dir });
    try {
      await syncUntilDone(tc);
      const v = await networkView(tn, p.storeId);
      expect(v.cases.map((c) => c.station_case_ref).sort()).toEqual(caseIds.map((id) => `case-${id}`).sort());
      expect(v.complete).toBe(24);
      expect(v.allHashesVerify).toBe(true);
    } finally {
      await tc.close();
      tmp.cleanup();
    }
  }, 180_000);

  it('soak: 60 cases through a proxy that drops 10% of connections arrive exactly once', async () => {
    const tc = await testCore();
    try {
      await tc.sys('onboarding.complete', ONBOARD);
      proxy.set({ kind: 'pass' });
      const p = await tn.pairCode('Soak Store', 'West');
      await tc.sys('sync.pair', { url: proxy.url, code: p.code });
      proxy.set({ kind: 'drop', rate: 0.1 });
      const { caseIds } = await makeConfirmedCases(tc, 60, 2048);
      const t0 = performance.now();
      await syncUntilDone(tc);
      console.log(`sync soak: 60 cases in ${Math.round(performance.now() - t0)} ms, ${proxy.stats.cut} connections dropped`);
      expect(proxy.stats.cut).toBeGreaterThan(5);
      const v = await networkView(tn, p.storeId);
      expect(v.cases).toHaveLength(caseIds.length);
      expect(new Set(v.cases.map((c) => c.station_case_ref)).size).toBe(60);
      expect(v.complete).toBe(120);
      expect(v.allHashesVerify).toBe(true);
    } finally {
      proxy.set({ kind: 'pass' });
      await tc.close();
    }
  }, 180_000);
});
