import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Opaque ids with a readable prefix (`case_…`, `off_…`); they carry no names or store data. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
export function hmacHex(secret: Buffer | string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
/** Stable JSON (sorted keys) so the same request body always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
export const DAY_MS = 24 * 60 * 60 * 1000;
