import { createHash, randomBytes } from 'node:crypto';
import { PennyError } from '../../contract/errors.js';
import { digestAuthorization, parseDigestChallenge } from './http-digest.js';
import { parseXml, pick, text, xmlEscape, type XmlNode } from './xml.js';

export interface SoapTarget {
  /** Service address, e.g. http://192.168.1.64/onvif/device_service */
  url: string;
  user?: string;
  password?: string;
  /** Device clock minus ours, so WS-Security timestamps fall inside the device's window. */
  clockOffsetMs: number;
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
}

/** host[:port] of a URL, for messages: enough to know which camera, never credentials. */
export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host;
  } catch {
    return url;
  }
}
const hostOnly = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
};

export function wrongPassword(url: string, detail?: string): PennyError {
  return new PennyError('invalid_input', `401 from ${hostOnly(url)}: wrong user or password`, {
    field: 'password',
    host: hostOf(url),
    ...(detail ? { detail } : {}),
  });
}

/** WS-UsernameToken with PasswordDigest = base64(sha1(nonce + created + password)). */
export function usernameToken(user: string, password: string, createdMs: number): string {
  const nonce = randomBytes(16);
  const created = new Date(createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created + password, 'utf8')])).digest('base64');
  return (
    '<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">' +
    `<wsse:UsernameToken><wsse:Username>${xmlEscape(user)}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

export function envelope(body: string, security = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">' +
    `<s:Header>${security}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

export interface SoapFault {
  code: string;
  subcodes: string[];
  reason: string;
}

/** Reads a SOAP 1.2 fault (Code/Subcode/Reason) or a SOAP 1.1 one (faultcode/faultstring). */
export function readFault(doc: XmlNode): SoapFault | null {
  const fault = pick(doc, 'Envelope', 'Body', 'Fault');
  if (!fault) return null;
  const code = text(pick(fault, 'Code', 'Value')) ?? text(pick(fault, 'faultcode')) ?? 'unknown';
  const subcodes: string[] = [];
  let sub = pick(fault, 'Code', 'Subcode');
  while (sub) {
    const v = text(pick(sub, 'Value'));
    if (v) subcodes.push(v.trim());
    sub = pick(sub, 'Subcode');
  }
  const reason = text(pick(fault, 'Reason', 'Text')) ?? text(pick(fault, 'faultstring')) ?? '';
  return { code: code.trim(), subcodes, reason: reason.replace(/\s+/g, ' ').trim() };
}

const local = (q: string) => q.slice(q.indexOf(':') + 1);

function isAuthFault(f: SoapFault): boolean {
  return [f.code, ...f.subcodes].some((c) => /NotAuthorized|FailedAuthentication|InvalidSecurity|Unauthorized/i.test(local(c)));
}

async function post(t: SoapTarget, body: string, authorization?: string): Promise<Response> {
  try {
    return await t.fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/soap+xml; charset=utf-8',
        ...(authorization ? { authorization } : {}),
      },
      body,
      signal: AbortSignal.timeout(t.timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; errors?: { code?: string }[] } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new PennyError('unavailable', `${hostOf(t.url)} did not answer within ${Math.round(t.timeoutMs / 1000)} s`, { host: hostOf(t.url) });
    }
    const code = err.cause?.code ?? err.cause?.errors?.[0]?.code ?? (err.cause as Error | undefined)?.message ?? 'network error';
    throw new PennyError('unavailable', `No answer from ${hostOf(t.url)} (${code})`, { host: hostOf(t.url), code });
  }
}

/**
 * One ONVIF SOAP call. Sends a WS-UsernameToken when a user is given and answers an HTTP Digest
 * challenge once (cameras use either, some both). Returns the parsed Body.
 */
export async function soapCall(t: SoapTarget, bodyXml: string, opts: { auth?: boolean } = {}): Promise<XmlNode> {
  const withAuth = opts.auth !== false && t.user !== undefined;
  const security = withAuth ? usernameToken(t.user!, t.password ?? '', t.now() + t.clockOffsetMs) : '';
  const payload = envelope(bodyXml, security);
  let res = await post(t, payload);
  if (res.status === 401) {
    const challenge = parseDigestChallenge(res.headers.get('www-authenticate'));
    await res.body?.cancel();
    if (!challenge || t.user === undefined) {
      if (t.user === undefined) {
        throw new PennyError('invalid_input', `401 from ${hostOnly(t.url)}: this camera needs a user and password`, { field: 'user', host: hostOf(t.url) });
      }
      throw wrongPassword(t.url);
    }
    const path = new URL(t.url).pathname + new URL(t.url).search;
    res = await post(t, payload, digestAuthorization(challenge, 'POST', path, t.user, t.password ?? ''));
    if (res.status === 401) {
      await res.body?.cancel();
      throw wrongPassword(t.url);
    }
  }
  const raw = await res.text();
  let doc: XmlNode;
  try {
    doc = parseXml(raw);
  } catch {
    doc = {};
  }
  const fault = readFault(doc);
  if (fault) {
    if (isAuthFault(fault)) throw wrongPassword(t.url, fault.reason || undefined);
    const subs = [...new Set(fault.subcodes.map(local))];
    const sub = subs.length ? ` (${subs.join('/')})` : '';
    throw new PennyError('unavailable', `${hostOf(t.url)} refused the request: ${fault.reason || local(fault.code)}${sub}`, {
      host: hostOf(t.url),
      fault,
    });
  }
  const body = pick(doc, 'Envelope', 'Body');
  if (!res.ok || !body || typeof body !== 'object') {
    throw new PennyError('unavailable', `${hostOf(t.url)} answered HTTP ${res.status} without a SOAP response; is this an ONVIF service address?`, {
      host: hostOf(t.url),
      status: res.status,
    });
  }
  return body as XmlNode;
}
