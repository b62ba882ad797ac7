import type { z } from 'zod';
import { NetworkErrorBody } from '../../contract/network.js';

/**
 * One HTTP exchange with the network. Failures are sorted into what the sync loop can act on:
 * `transport` (no answer: cut, reset, timeout — retry), `server` (5xx — retry), `auth`
 * (unpaired/revoked — stop and say so), `client` (4xx — the request itself is wrong).
 */
export type NetFailureKind = 'transport' | 'server' | 'auth' | 'client';

export class NetFailure extends Error {
  constructor(
    readonly kind: NetFailureKind,
    message: string,
    readonly status = 0,
    readonly code = '',
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.kind === 'transport' || this.kind === 'server';
  }
}

export interface NetClientOptions {
  url: string;
  apiKey?: string;
  fetch: typeof fetch;
  timeoutMs?: number;
}

export interface NetRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  json?: unknown;
  bytes?: Buffer;
  headers?: Record<string, string>;
}

export async function netCall<T extends z.ZodType>(o: NetClientOptions, req: NetRequest, schema: T): Promise<z.output<T>> {
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
  let body: string | Uint8Array | undefined;
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.bytes) {
    headers['content-type'] = 'application/octet-stream';
    body = new Uint8Array(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
  }
  const where = `${req.method} ${req.path.split('?')[0]}`;
  let res: Response;
  let text: string;
  try {
    res = await o.fetch(o.url.replace(/\/$/, '') + req.path, { method: req.method, headers, body, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.cause?.code ?? e.cause?.message ?? e.name ?? e.message;
    throw new NetFailure('transport', `network unreachable (${where}: ${why})`);
  }
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    if (res.ok) throw new NetFailure('server', `network answered ${where} with something that is not JSON`, res.status);
  }
  if (!res.ok) {
    const eb = NetworkErrorBody.safeParse(parsed);
    const msg = eb.success ? eb.data.error.message : `HTTP ${res.status}`;
    const code = eb.success ? eb.data.error.code : '';
    const details = eb.success ? eb.data.error.details : undefined;
    if (res.status === 401) throw new NetFailure('auth', msg, res.status, code, details);
    if (res.status >= 500 || res.status === 429 || res.status === 408) throw new NetFailure('server', `network error on ${where}: ${msg}`, res.status, code, details);
    throw new NetFailure('client', msg, res.status, code, details);
  }
  const out = schema.safeParse(parsed);
  if (!out.success) throw new NetFailure('server', `network answered ${where} in an unexpected shape: ${out.error.issues[0]?.message ?? 'invalid'}`, res.status);
  return out.data;
}

/** Exponential backoff with full jitter, capped. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, rnd = Math.random): number {
  const ceil = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceil / 2 + rnd() * (ceil / 2));
}

/**
 * Retries a retryable failure a few times within one run, sleeping with backoff + jitter. Auth and
 * client failures are thrown at once: repeating them cannot help.
 */
export async function withRetry<T>(fn: () => Promise<T>, o: { tries: number; baseMs: number; capMs: number; stopped: () => boolean }): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof NetFailure) || !err.retryable || i + 1 >= o.tries || o.stopped()) throw err;
      await new Promise((r) => setTimeout(r, backoffMs(i, o.baseMs, o.capMs)));
    }
  }
}
