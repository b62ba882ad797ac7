// `npm run bench -- sync`: 500 confirmed cases with small clips pushed through a proxy that drops
// 10% of connections, against a same-run baseline of the same push over a clean link.
import { ONBOARD, testCore } from '../helpers/core.js';
import { makeConfirmedCases, networkView, startNetwork, startProxy } from '../sync/helpers.js';

const N = Number(process.argv[3] ?? 500);

async function once(drop: number) {
  const tn = await startNetwork();
  const proxy = await startProxy(() => tn.port);
  const tc = await testCore();
  await tc.sys('onboarding.complete', ONBOARD);
  const p = await tn.pairCode(`Bench ${drop}`, 'North');
  await tc.sys('sync.pair', { url: proxy.url, code: p.code });
  // Offline while the reviewer confirms: the push is measured alone.
  proxy.set({ kind: 'stall' });
  await makeConfirmedCases(tc, N, 4096);
  proxy.cutAll();
  proxy.set(drop > 0 ? { kind: 'drop', rate: drop } : { kind: 'pass' });
  const t0 = performance.now();
  let runs = 0;
  while ((await tc.sys<{ pending: number }>('sync.run', { push: true })).pending > 0) runs++;
  const ms = performance.now() - t0;
  const v = await networkView(tn, p.storeId);
  await tc.close();
  await proxy.close();
  await tn.destroy();
  return { ms, runs: runs + 1, cases: v.cases.length, evidence: v.complete, hashes: v.allHashesVerify, dropped: proxy.stats.cut };
}

const clean = await once(0);
const lossy = await once(0.1);
console.log(`sync bench: ${N} cases (4 KB clip + case.json each)`);
console.log(`  clean link: ${Math.round(clean.ms)} ms, ${clean.cases} cases, ${clean.evidence} files, hashes ok ${clean.hashes}`);
console.log(`  10% drops : ${Math.round(lossy.ms)} ms, ${lossy.cases} cases, ${lossy.evidence} files, hashes ok ${lossy.hashes}, ${lossy.dropped} connections dropped, ${lossy.runs} run(s)`);
console.log(`  ratio lossy/clean: ${(lossy.ms / clean.ms).toFixed(2)}×`);
if (lossy.cases !== N || lossy.evidence !== 2 * N || !lossy.hashes) {
  console.error('FAILED: the network does not hold exactly one verified copy of every case');
  process.exit(1);
}
