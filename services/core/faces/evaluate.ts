import { euclidean } from './engine.js';

/**
 * Verification and identification figures from labelled descriptors. Pure, so it is tested on its
 * own and the CLI only feeds it what the engine found.
 */
export interface Sample {
  identity: string;
  image: string;
  descriptor: Float32Array;
}

export interface TarPoint {
  far: number;
  tar: number;
  threshold: number;
  achievedFar: number;
}

/** Rank-1 with a leave-one-out gallery: every other image is the gallery for each probe. */
export function rank1(samples: Sample[]) {
  let correct = 0;
  let trials = 0;
  const failures: { image: string; predicted: string; distance: number }[] = [];
  for (let i = 0; i < samples.length; i++) {
    const p = samples[i]!;
    // A probe whose identity has no other image cannot be identified; it is not a trial.
    if (!samples.some((s, j) => j !== i && s.identity === p.identity)) continue;
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < samples.length; j++) {
      if (j === i) continue;
      const d = euclidean(p.descriptor, samples[j]!.descriptor);
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    trials++;
    if (samples[best]!.identity === p.identity) correct++;
    else failures.push({ image: p.image, predicted: samples[best]!.identity, distance: Math.round(bestD * 1000) / 1000 });
  }
  return { rank1: trials ? correct / trials : 0, correct, trials, failures };
}

export function pairDistances(samples: Sample[]): { genuine: number[]; impostor: number[] } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const d = euclidean(samples[i]!.descriptor, samples[j]!.descriptor);
      (samples[i]!.identity === samples[j]!.identity ? genuine : impostor).push(d);
    }
  }
  genuine.sort((a, b) => a - b);
  impostor.sort((a, b) => a - b);
  return { genuine, impostor };
}

/** Count of sorted values strictly below t. */
function below(sorted: number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * TAR at a FAR target: the largest threshold (accept when d < t) whose false-accept rate stays at
 * or under the target. With few impostor pairs a FAR of 1e-3 may allow no false accept at all, which
 * puts the threshold right at the closest impostor pair; achievedFar says what was reached.
 */
export function tarAtFar(genuine: number[], impostor: number[], far: number): TarPoint {
  const allowed = Math.floor(far * impostor.length);
  // Accepting d < impostor[allowed] admits exactly `allowed` impostors (ties aside).
  const threshold = allowed < impostor.length ? impostor[allowed]! : Infinity;
  const fa = below(impostor, threshold);
  const ta = below(genuine, threshold);
  return {
    far,
    tar: genuine.length ? ta / genuine.length : 0,
    threshold: Number.isFinite(threshold) ? Math.round(threshold * 10000) / 10000 : 2,
    achievedFar: impostor.length ? fa / impostor.length : 0,
  };
}

/** Equal error rate over the candidate thresholds (every observed distance). */
export function equalErrorRate(genuine: number[], impostor: number[]): number {
  if (!genuine.length || !impostor.length) return 0;
  let best = 1;
  for (const t of [...genuine, ...impostor]) {
    const frr = 1 - below(genuine, t + 1e-9) / genuine.length;
    const far = below(impostor, t + 1e-9) / impostor.length;
    best = Math.min(best, Math.max(frr, far));
  }
  return best;
}
