import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';

interface UploadMeta {
  name: string;
  size: number;
}
interface HandleResult {
  status: number;
  body: unknown;
}

/**
 * Chunked, resumable uploads for browser mode, where a dropped File has no path. Chunks are
 * appended at an explicit offset, so a retried chunk is idempotent; when the last byte lands the
 * file is moved to its final name and the path handed to the command that needs it.
 */
export class UploadArea {
  static readonly MAX_CHUNK = 8 * 1024 * 1024;
  static readonly MAX_FILE = 4 * 1024 * 1024 * 1024;
  constructor(private readonly root: string) {}

  handle(method: string, url: URL, body: Buffer): HandleResult {
    const parts = url.pathname.split('/').filter(Boolean); // api, uploads, [id]
    const id = parts[2];
    if (method === 'POST' && !id) return this.create(body);
    if (!id || !/^[0-9a-f-]{36}$/.test(id)) return { status: 404, body: { ok: false, error: { code: 'not_found', message: 'unknown upload' } } };
    if (method === 'PUT') return this.append(id, Number(url.searchParams.get('offset')), body);
    if (method === 'GET') return this.status(id);
    return { status: 405, body: { ok: false, error: { code: 'invalid_input', message: 'method not allowed' } } };
  }

  private dir(id: string) {
    return join(this.root, id);
  }

  private create(body: Buffer): HandleResult {
    let meta: UploadMeta;
    try {
      meta = JSON.parse(body.toString('utf8')) as UploadMeta;
    } catch {
      return bad('upload request is not JSON: send {"name", "size"}');
    }
    const name = typeof meta.name === 'string' ? basename(meta.name).replace(/[^\w.\- ()]/g, '_').slice(0, 180) : '';
    if (!name) return bad('upload needs a file name');
    if (!Number.isInteger(meta.size) || meta.size < 0 || meta.size > UploadArea.MAX_FILE) return bad(`upload size must be 0–${UploadArea.MAX_FILE} bytes`);
    const id = randomUUID();
    mkdirSync(this.dir(id), { recursive: true });
    writeFileSync(join(this.dir(id), 'meta.json'), JSON.stringify({ name, size: meta.size }));
    writeFileSync(join(this.dir(id), 'part'), '');
    return { status: 200, body: { ok: true, value: { id, received: 0, ...(meta.size === 0 ? { path: this.finish(id, name) } : {}) } } };
  }

  private readMeta(id: string): UploadMeta | null {
    const f = join(this.dir(id), 'meta.json');
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as UploadMeta) : null;
  }

  private status(id: string): HandleResult {
    const meta = this.readMeta(id);
    if (!meta) return { status: 404, body: { ok: false, error: { code: 'not_found', message: 'unknown upload' } } };
    const done = join(this.dir(id), meta.name);
    if (existsSync(done)) return { status: 200, body: { ok: true, value: { id, received: meta.size, path: done } } };
    const fd = openSync(join(this.dir(id), 'part'), 'r');
    const received = fstatSync(fd).size;
    closeSync(fd);
    return { status: 200, body: { ok: true, value: { id, received } } };
  }

  private append(id: string, offset: number, chunk: Buffer): HandleResult {
    const meta = this.readMeta(id);
    if (!meta) return { status: 404, body: { ok: false, error: { code: 'not_found', message: 'unknown upload' } } };
    const partPath = join(this.dir(id), 'part');
    if (!existsSync(partPath)) return this.status(id);
    const fd = openSync(partPath, 'r+');
    try {
      const have = fstatSync(fd).size;
      if (!Number.isInteger(offset) || offset < 0 || offset > have) return bad(`chunk offset ${offset} does not follow the ${have} bytes received`);
      if (offset + chunk.length > meta.size) return bad(`chunk runs past the declared size of ${meta.size} bytes`);
      writeSync(fd, chunk, 0, chunk.length, offset);
    } finally {
      closeSync(fd);
    }
    const received = Math.max(offset + chunk.length, 0);
    if (received === meta.size) return { status: 200, body: { ok: true, value: { id, received, path: this.finish(id, meta.name) } } };
    return { status: 200, body: { ok: true, value: { id, received } } };
  }

  private finish(id: string, name: string): string {
    const final = join(this.dir(id), name);
    renameSync(join(this.dir(id), 'part'), final);
    return final;
  }
}

const bad = (message: string): HandleResult => ({ status: 400, body: { ok: false, error: { code: 'invalid_input', message } } });
