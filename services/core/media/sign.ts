import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Only evidence-like folders are ever served; the database, keys and uploads never are. */
export const MEDIA_ROOTS = ['clips', 'exports', 'snapshots', 'faces', 'demo-media'] as const;
export const MEDIA_TTL_MS = 10 * 60 * 1000;

const mac = (key: Buffer, path: string, exp: number) => createHmac('sha256', key).update(`${path}\n${exp}`).digest('base64url');

export function signMediaPath(key: Buffer, path: string, exp: number): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `media/${encoded}?exp=${exp}&sig=${mac(key, path, exp)}`;
}

/**
 * Checks a signed media request and returns the file to serve, or a reason it is refused. Shared by
 * the browser-mode server and Electron main's penny-media: protocol, which both hold the same key.
 */
export function resolveSignedMedia(
  key: Buffer,
  dataDir: string,
  path: string,
  exp: string | null,
  sig: string | null,
  now: number,
): { file: string } | { status: number; reason: string } {
  if (!exp || !sig) return { status: 401, reason: 'unsigned media request' };
  const expires = Number(exp);
  if (!Number.isFinite(expires) || expires < now) return { status: 403, reason: 'media link expired; reload the page' };
  const expected = Buffer.from(mac(key, path, expires));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { status: 403, reason: 'bad media signature' };
  const root = path.split('/')[0] ?? '';
  if (!(MEDIA_ROOTS as readonly string[]).includes(root) || path.split('/').includes('..')) return { status: 403, reason: 'not a media folder' };
  const file = join(dataDir, ...path.split('/'));
  if (!existsSync(file) || !statSync(file).isFile()) return { status: 404, reason: 'media file not found' };
  // A symlink inside clips/ must not lead anywhere else, not even to the database beside it.
  if (!realpathSync(file).startsWith(realpathSync(join(dataDir, root)) + sep)) return { status: 403, reason: 'not a media folder' };
  return { file };
}
