import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where evidence bytes live. The filesystem is the default; an S3-compatible store implements the
 * same interface (multipart upload for append, ranged GET for read) and is chosen by options.
 */
export interface EvidenceStore {
  readonly kind: string;
  /** Writes `chunk` at `offset`; the caller guarantees offset == current size (resumable append). */
  write(key: string, offset: number, chunk: Buffer): Promise<void>;
  size(key: string): Promise<number>;
  sha256(key: string): Promise<string>;
  read(key: string, range?: { start: number; end: number }): Readable;
  remove(key: string): Promise<void>;
  usedBytes(): Promise<number>;
}

export class FsEvidenceStore implements EvidenceStore {
  readonly kind = 'filesystem';
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(this.root, { recursive: true });
  }
  #path(key: string): string {
    if (!/^[A-Za-z0-9_\-/.]+$/.test(key) || key.includes('..')) throw new Error(`bad storage key ${key}`);
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep)) throw new Error(`storage key escapes the root: ${key}`);
    return p;
  }
  async write(key: string, offset: number, chunk: Buffer): Promise<void> {
    const p = this.#path(key);
    mkdirSync(dirname(p), { recursive: true });
    const fh = await open(p, existsSync(p) ? 'r+' : 'w');
    try {
      await fh.write(chunk, 0, chunk.length, offset);
      await fh.truncate(offset + chunk.length);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  async size(key: string): Promise<number> {
    const p = this.#path(key);
    return existsSync(p) ? statSync(p).size : 0;
  }
  async sha256(key: string): Promise<string> {
    const h = createHash('sha256');
    for await (const c of createReadStream(this.#path(key))) h.update(c as Buffer);
    return h.digest('hex');
  }
  read(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.#path(key), range);
  }
  async remove(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }
  async usedBytes(): Promise<number> {
    let total = 0;
    const walk = async (d: string): Promise<void> => {
      if (!existsSync(d)) return;
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else total += (await stat(p)).size;
      }
    };
    await walk(this.root);
    return total;
  }
}
