import { createRequire } from 'node:module';

/**
 * 1:N nearest-neighbour search over descriptors. Exact (brute force) is the reference and is fast
 * enough for a store's watchlist; above `hnswThreshold` templates (network-wide lists) the same
 * interface is served by usearch's HNSW graph. Distances are Euclidean.
 */
export interface Neighbour {
  id: number;
  distance: number;
}

export interface VectorIndex {
  readonly kind: 'exact' | 'hnsw';
  readonly size: number;
  add(id: number, vector: Float32Array): void;
  remove(id: number): void;
  search(vector: Float32Array, k: number): Neighbour[];
}

export class ExactIndex implements VectorIndex {
  readonly kind = 'exact' as const;
  private ids: number[] = [];
  private data: Float32Array;
  private slot = new Map<number, number>();
  constructor(readonly dim: number, capacity = 1024) {
    this.data = new Float32Array(dim * capacity);
  }
  get size() {
    return this.ids.length;
  }
  add(id: number, v: Float32Array) {
    if (v.length !== this.dim) throw new Error(`vector has ${v.length} dimensions, index has ${this.dim}`);
    if (this.slot.has(id)) this.remove(id);
    if ((this.ids.length + 1) * this.dim > this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.slot.set(id, this.ids.length);
    this.data.set(v, this.ids.length * this.dim);
    this.ids.push(id);
  }
  remove(id: number) {
    const at = this.slot.get(id);
    if (at === undefined) return;
    // Swap the last row into the hole so the matrix stays dense.
    const last = this.ids.length - 1;
    if (at !== last) {
      this.data.copyWithin(at * this.dim, last * this.dim, (last + 1) * this.dim);
      const moved = this.ids[last]!;
      this.ids[at] = moved;
      this.slot.set(moved, at);
    }
    this.ids.pop();
    this.slot.delete(id);
  }
  search(v: Float32Array, k: number): Neighbour[] {
    const dim = this.dim;
    const data = this.data;
    const best: Neighbour[] = [];
    let worst = Infinity;
    for (let r = 0; r < this.ids.length; r++) {
      let s = 0;
      const o = r * dim;
      for (let i = 0; i < dim; i++) {
        const d = data[o + i]! - v[i]!;
        s += d * d;
        if (s >= worst) break; // cannot enter the top k any more
      }
      if (best.length < k || s < worst) {
        best.push({ id: this.ids[r]!, distance: s });
        best.sort((a, b) => a.distance - b.distance);
        if (best.length > k) best.pop();
        worst = best.length === k ? best[k - 1]!.distance : Infinity;
      }
    }
    return best.map((b) => ({ id: b.id, distance: Math.sqrt(b.distance) }));
  }
}

interface UsearchIndex {
  add(keys: bigint | BigUint64Array, vectors: Float32Array, threads?: number): void;
  remove(keys: bigint): number;
  search(vectors: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array };
  size(): number;
}
type UsearchCtor = new (config: {
  dimensions: number;
  metric: string;
  quantization: string;
  connectivity: number;
  expansion_add: number;
  expansion_search: number;
  multi: boolean;
}) => UsearchIndex;

export interface HnswOptions {
  connectivity?: number;
  expansionAdd?: number;
  expansionSearch?: number;
}

export class HnswIndex implements VectorIndex {
  readonly kind = 'hnsw' as const;
  private index: UsearchIndex;
  private count = 0;
  private present = new Set<number>();
  constructor(readonly dim: number, opts: HnswOptions = {}) {
    const require = createRequire(import.meta.url);
    const { Index } = require('usearch') as { Index: UsearchCtor };
    this.index = new Index({
      dimensions: dim,
      metric: 'l2sq',
      quantization: 'f32',
      // Measured at 100k face-like templates (test/bench/faces.ts): M=16/ef=64 gave recall@1 0.91;
      // M=32, ef_add=200, ef_search=128 gives ≥0.99 at ~1 ms per probe.
      connectivity: opts.connectivity ?? 32,
      expansion_add: opts.expansionAdd ?? 200,
      expansion_search: opts.expansionSearch ?? 128,
      multi: false,
    });
  }
  get size() {
    return this.count;
  }
  add(id: number, v: Float32Array) {
    if (v.length !== this.dim) throw new Error(`vector has ${v.length} dimensions, index has ${this.dim}`);
    if (this.present.has(id)) this.remove(id);
    this.index.add(BigInt(id), v);
    this.present.add(id);
    this.count++;
  }
  /** Bulk load (many threads); ids must be new. `flat` holds ids.length × dim values. */
  addMany(ids: number[], flat: Float32Array, threads = 0) {
    if (flat.length !== ids.length * this.dim) throw new Error(`expected ${ids.length * this.dim} values, got ${flat.length}`);
    if (ids.length === 0) return;
    this.index.add(BigUint64Array.from(ids, (i) => BigInt(i)), flat, threads);
    for (const id of ids) this.present.add(id);
    this.count += ids.length;
  }
  remove(id: number) {
    if (!this.present.delete(id)) return;
    this.index.remove(BigInt(id));
    this.count--;
  }
  search(v: Float32Array, k: number): Neighbour[] {
    if (this.count === 0) return [];
    const m = this.index.search(v, Math.min(k, this.count), 1);
    const out: Neighbour[] = [];
    for (let i = 0; i < m.keys.length; i++) {
      const d = m.distances[i]!;
      if (!Number.isFinite(d)) continue;
      out.push({ id: Number(m.keys[i]!), distance: Math.sqrt(Math.max(0, d)) });
    }
    return out;
  }
}

/**
 * The one interface the app uses: exact while small, HNSW once the gallery passes the threshold
 * (the graph is built from the exact rows at that moment, then kept up to date).
 */
export class Gallery implements VectorIndex {
  private exact: ExactIndex;
  private hnsw: HnswIndex | undefined;
  private vectors = new Map<number, Float32Array>();
  constructor(readonly dim = 128, readonly hnswThreshold = 5000, private readonly hnswOptions: HnswOptions = {}) {
    this.exact = new ExactIndex(dim);
  }
  get kind() {
    return this.hnsw ? ('hnsw' as const) : ('exact' as const);
  }
  get size() {
    return this.vectors.size;
  }
  add(id: number, v: Float32Array) {
    this.vectors.set(id, v);
    if (this.hnsw) this.hnsw.add(id, v);
    else {
      this.exact.add(id, v);
      if (this.vectors.size > this.hnswThreshold) this.promote();
    }
  }
  remove(id: number) {
    if (!this.vectors.delete(id)) return;
    if (this.hnsw) this.hnsw.remove(id);
    else this.exact.remove(id);
  }
  search(v: Float32Array, k: number) {
    return (this.hnsw ?? this.exact).search(v, k);
  }
  clear() {
    this.vectors.clear();
    this.exact = new ExactIndex(this.dim);
    this.hnsw = undefined;
  }
  private promote() {
    const h = new HnswIndex(this.dim, this.hnswOptions);
    const ids = [...this.vectors.keys()];
    const flat = new Float32Array(ids.length * this.dim);
    ids.forEach((id, i) => flat.set(this.vectors.get(id)!, i * this.dim));
    h.addMany(ids, flat);
    this.hnsw = h;
    this.exact = new ExactIndex(this.dim, 1);
  }
}
