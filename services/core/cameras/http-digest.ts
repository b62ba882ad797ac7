import { createHash, randomBytes } from 'node:crypto';

/** The fields of a `WWW-Authenticate: Digest …` challenge (RFC 7616). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm?: string;
}

export function parseDigestChallenge(header: string | null): DigestChallenge | null {
  if (!header) return null;
  const at = header.search(/digest\s/i);
  if (at < 0) return null;
  const fields: Record<string, string> = {};
  const re = /(\w+)=(?:"([^"]*)"|([^\s,]+))/g;
  for (let m = re.exec(header.slice(at + 7)); m; m = re.exec(header.slice(at + 7))) {
    fields[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  if (fields.realm === undefined || !fields.nonce) return null;
  return { realm: fields.realm, nonce: fields.nonce, qop: fields.qop, opaque: fields.opaque, algorithm: fields.algorithm };
}

/** The Authorization header answering a challenge; MD5 and SHA-256, qop=auth or none. */
export function digestAuthorization(ch: DigestChallenge, method: string, uri: string, user: string, password: string): string {
  const algo = (ch.algorithm ?? 'MD5').toUpperCase().startsWith('SHA-256') ? 'sha256' : 'md5';
  const h = (s: string) => createHash(algo).update(s).digest('hex');
  const ha1 = h(`${user}:${ch.realm}:${password}`);
  const ha2 = h(`${method}:${uri}`);
  const qop = ch.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = qop ? h(`${ha1}:${ch.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${ch.nonce}:${ha2}`);
  const parts = [
    `username="${user}"`,
    `realm="${ch.realm}"`,
    `nonce="${ch.nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
  ];
  if (ch.algorithm) parts.push(`algorithm=${ch.algorithm}`);
  if (ch.opaque !== undefined) parts.push(`opaque="${ch.opaque}"`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  return `Digest ${parts.join(', ')}`;
}
