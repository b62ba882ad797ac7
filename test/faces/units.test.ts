import { describe, expect, it } from 'vitest';
import { agree, framesRequired } from '../../services/core/faces/agreement.js';
import { equalErrorRate, pairDistances, rank1, tarAtFar } from '../../services/core/faces/evaluate.js';
import { ExactIndex, Gallery, HnswIndex } from '../../services/core/faces/gallery/index.js';
import { decodeImage, fitWithin, padImage } from '../../services/core/faces/image.js';
import { PennyError } from '../../services/contract/errors.js';

/** Deterministic pseudo-random vectors so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
function vectors(n: number, dim: number, seed = 1) {
  const r = rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => r() * 2 - 1));
}
/**
 * Face-like data: identities are random centres and each template is a noisy copy, as several
 * photos of one person are (uniform noise with no structure is not what a gallery holds).
 */
function clustered(identities: number, perIdentity: number, seed: number) {
  const r = rng(seed);
  const centres = vectors(identities, 128, seed + 1);
  const out: Float32Array[] = [];
  for (const c of centres) for (let k = 0; k < perIdentity; k++) out.push(c.map((x) => x + (r() - 0.5) * 0.3));
  return { centres, out, noisy: (i: number) => centres[i]!.map((x) => x + (r() - 0.5) * 0.3) };
}
const l2 = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

describe('vector indexes', () => {
  const data = vectors(3000, 128, 7);
  const queries = vectors(50, 128, 99);

  it('exact search returns the true nearest neighbours in order', () => {
    const idx = new ExactIndex(128, 4);
    data.forEach((v, i) => idx.add(i + 1, v));
    for (const q of queries.slice(0, 10)) {
      const truth = data.map((v, i) => ({ id: i + 1, d: l2(v, q) })).sort((a, b) => a.d - b.d).slice(0, 5);
      const got = idx.search(q, 5);
      expect(got.map((g) => g.id)).toEqual(truth.map((t) => t.id));
      expect(got[0]!.distance).toBeCloseTo(truth[0]!.d, 4);
    }
  });

  it('exact search forgets removed vectors and keeps the rest findable', () => {
    const idx = new ExactIndex(128, 2);
    data.slice(0, 100).forEach((v, i) => idx.add(i + 1, v));
    idx.remove(1);
    idx.remove(50);
    expect(idx.size).toBe(98);
    expect(idx.search(data[0]!, 1)[0]!.id).not.toBe(1);
    expect(idx.search(data[99]!, 1)[0]).toEqual({ id: 100, distance: 0 });
    expect(idx.search(data[2]!, 1)[0]!.id).toBe(3);
  });

  it('HNSW agrees with exact search on rank 1 for at least 99% of queries', () => {
    const exact = new ExactIndex(128);
    const hnsw = new HnswIndex(128);
    const faces = clustered(1000, 3, 5);
    const queries = Array.from({ length: 200 }, (_, i) => faces.noisy((i * 7) % 1000));
    faces.out.forEach((v, i) => {
      exact.add(i + 1, v);
      hnsw.add(i + 1, v);
    });
    const agreeing = queries.filter((q) => exact.search(q, 1)[0]!.id === hnsw.search(q, 1)[0]!.id).length;
    expect(agreeing / queries.length).toBeGreaterThanOrEqual(0.99);
    const q = queries[0]!;
    expect(hnsw.search(q, 1)[0]!.distance).toBeCloseTo(exact.search(q, 1)[0]!.distance, 3);
    hnsw.remove(exact.search(q, 1)[0]!.id);
    expect(hnsw.size).toBe(2999);
    expect(hnsw.search(q, 1)[0]!.id).not.toBe(exact.search(q, 1)[0]!.id);
  });

  it('the gallery switches from exact to HNSW above its threshold and still finds the same vectors', () => {
    const g = new Gallery(128, 500);
    data.slice(0, 500).forEach((v, i) => g.add(i + 1, v));
    expect(g.kind).toBe('exact');
    g.add(501, data[500]!);
    expect(g.kind).toBe('hnsw');
    expect(g.search(data[10]!, 1)[0]).toEqual({ id: 11, distance: 0 });
    g.remove(11);
    expect(g.search(data[10]!, 1)[0]!.id).not.toBe(11);
  });
});

describe('evaluation figures', () => {
  const v = (...x: number[]) => Float32Array.from(x);
  const samples = [
    { identity: 'a', image: 'a1', descriptor: v(0, 0) },
    { identity: 'a', image: 'a2', descriptor: v(0.1, 0) },
    { identity: 'b', image: 'b1', descriptor: v(1, 0) },
    { identity: 'b', image: 'b2', descriptor: v(1, 0.2) },
    { identity: 'c', image: 'c1', descriptor: v(0.12, 0.05) }, // sits next to a: a failure, and not a trial itself
  ];

  it('rank-1 with leave-one-out counts only probes whose identity has another image', () => {
    const r = rank1(samples);
    expect(r.trials).toBe(4);
    expect(r.correct).toBe(3); // a2's nearest other image is c1
    expect(r.failures).toEqual([{ image: 'a2', predicted: 'c', distance: 0.054 }]);
  });

  it('TAR at FAR picks the threshold under the closest allowed impostor pair', () => {
    const { genuine, impostor } = pairDistances(samples);
    expect(genuine.length).toBe(2);
    expect(impostor.length).toBe(8);
    const strict = tarAtFar(genuine, impostor, 0.001);
    expect(strict.achievedFar).toBe(0);
    expect(strict.threshold).toBeCloseTo(impostor[0]!, 4);
    expect(strict.tar).toBe(0); // both genuine pairs (0.1, 0.2) lie above the closest impostor (≈0.05)
    const loose = tarAtFar(genuine, impostor, 0.25);
    expect(loose.achievedFar).toBe(0.25);
    expect(loose.tar).toBe(1);
    expect(equalErrorRate(genuine, impostor)).toBeGreaterThan(0);
  });
});

describe('K-of-N agreement', () => {
  const c = (subjectId: number, similarity: number, suppressed = false) => ({ subjectId, similarity, distance: 1 - similarity / 100, templateId: subjectId * 10, suppressed });
  it('counts frames, not faces, and keeps the strongest observation', () => {
    const frames = [
      { faces: [{ face: 'f0', candidates: [c(1, 60)] }, { face: 'f0b', candidates: [c(1, 58)] }] },
      { faces: [{ face: 'f1', candidates: [c(1, 70)] }] },
      { faces: [{ face: 'f2', candidates: [c(2, 55)] }] },
      { faces: [] },
    ];
    const a = agree(frames);
    expect(a[0]).toMatchObject({ subjectId: 1, framesAgreeing: 2, bestSimilarity: 70, best: { frame: 1, face: 'f1' } });
    expect(a[1]).toMatchObject({ subjectId: 2, framesAgreeing: 1 });
  });
  it('a suppressed pairing never agrees, and the next candidate is used instead', () => {
    const a = agree([{ faces: [{ face: 'x', candidates: [c(1, 80, true), c(2, 60)] }] }, { faces: [{ face: 'y', candidates: [c(1, 81, true)] }] }]);
    expect(a.find((x) => x.subjectId === 1)).toMatchObject({ framesAgreeing: 0, suppressed: true });
    expect(a.find((x) => x.subjectId === 2)).toMatchObject({ framesAgreeing: 1, suppressed: false });
  });
  it('needs K of every N frames, at least K, or every frame when fewer than K are given', () => {
    expect(framesRequired(2, 5, 5)).toBe(2);
    expect(framesRequired(2, 5, 3)).toBe(2);
    expect(framesRequired(2, 5, 8)).toBe(4);
    expect(framesRequired(2, 5, 10)).toBe(4);
    expect(framesRequired(3, 5, 1)).toBe(1);
    expect(framesRequired(2, 5, 2)).toBe(2);
  });
});

describe('image handling', () => {
  it('refuses a file that is neither JPEG nor PNG, naming it', () => {
    expect(() => decodeImage(new TextEncoder().encode('hello, not an image at all'), 'notes.txt')).toThrowError(/notes\.txt is not a JPEG or PNG/);
    try {
      decodeImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]), 'broken.jpg');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PennyError);
      expect((err as PennyError).code).toBe('invalid_input');
      expect((err as PennyError).message).toMatch(/broken\.jpg could not be decoded/);
    }
  });
  it('scales down and pads without changing the picture', () => {
    const img = { width: 40, height: 20, data: new Uint8Array(40 * 20 * 3).fill(200) };
    const { image, scale } = fitWithin(img, 20);
    expect([image.width, image.height, scale]).toEqual([20, 10, 0.5]);
    expect(image.data.every((x) => x === 200)).toBe(true);
    const p = padImage(img, 5);
    expect([p.width, p.height]).toEqual([50, 30]);
    expect(p.data[0]).toBe(128);
    expect(p.data[(5 * 50 + 5) * 3]).toBe(200);
  });
});
