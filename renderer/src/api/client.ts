import type { CommandName, InputOf, OutputOf, PennyErrorShape, Result } from '../../../services/contract/index';

/** What the Electron preload exposes. In browser mode it is absent and HTTP is used. */
export interface PennyBridge {
  version: string;
  invoke(name: string, input: unknown, session?: string): Promise<Result<unknown>>;
  subscribe(event: string, cb: (payload: unknown) => void): () => void;
  pathForFile(file: File): string;
}
declare global {
  interface Window {
    penny?: PennyBridge;
  }
}

export class ApiError extends Error {
  readonly code: PennyErrorShape['code'];
  readonly details?: unknown;
  constructor(e: PennyErrorShape) {
    super(e.message);
    this.code = e.code;
    this.details = e.details;
  }
  /** The field a validation error points at, for showing the message next to it. */
  field(): string | undefined {
    const d = this.details as { field?: string } | { field: string }[] | undefined;
    if (Array.isArray(d)) return d[0]?.field;
    return d?.field;
  }
}

type Listener = (name: string, payload: unknown) => void;

interface Transport {
  invoke(name: string, input: unknown, session?: string): Promise<Result<unknown>>;
  listen(cb: Listener): () => void;
  upload?(file: File, onProgress: (sent: number, total: number) => void): Promise<string>;
  kind: 'ipc' | 'http';
}

function ipcTransport(bridge: PennyBridge): Transport {
  return {
    kind: 'ipc',
    invoke: (n, i, s) => bridge.invoke(n, i, s),
    listen: (cb) => bridge.subscribe('*', (msg) => {
      const m = msg as { name: string; payload: unknown };
      cb(m.name, m.payload);
    }),
  };
}

const CHUNK = 4 * 1024 * 1024;

function httpTransport(): Transport {
  // The launch token arrives in the URL once; keep it for reloads, then drop it from the address bar.
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    sessionStorage.setItem('penny.token', fromUrl);
    params.delete('token');
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}${location.hash}`);
  }
  const token = sessionStorage.getItem('penny.token') ?? '';
  const headers = (session?: string): Record<string, string> => ({
    'content-type': 'application/json',
    'x-penny-token': token,
    ...(session ? { 'x-penny-session': session } : {}),
  });
  const listeners = new Set<Listener>();
  let socket: WebSocket | undefined;
  let retry = 500;
  const connect = () => {
    socket = new WebSocket(`ws://${location.host}/api/events?token=${encodeURIComponent(token)}`);
    socket.onopen = () => (retry = 500);
    socket.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as { name: string; payload: unknown };
      for (const l of listeners) l(m.name, m.payload);
    };
    socket.onclose = () => {
      if (listeners.size) setTimeout(connect, (retry = Math.min(retry * 2, 10_000)));
    };
  };
  return {
    kind: 'http',
    async invoke(name, input, session) {
      let res: Response;
      try {
        res = await fetch(`/api/${name}`, { method: 'POST', headers: headers(session), body: JSON.stringify(input ?? {}) });
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'Penny is not reachable. Is `penny serve` still running?' } };
      }
      return (await res.json()) as Result<unknown>;
    },
    listen(cb) {
      listeners.add(cb);
      if (!socket) connect();
      return () => listeners.delete(cb);
    },
  };
}

/** Uploads a dropped file in chunks (browser mode) and returns the path the core can read. */
export async function uploadFile(file: File, onProgress: (sent: number, total: number) => void): Promise<string> {
  if (window.penny) return window.penny.pathForFile(file);
  const token = sessionStorage.getItem('penny.token') ?? '';
  const h = { 'x-penny-token': token, 'x-penny-session': api.session ?? '' };
  const start = await fetch('/api/uploads', { method: 'POST', headers: h, body: JSON.stringify({ name: file.name, size: file.size }) });
  const created = (await start.json()) as Result<{ id: string; path?: string }>;
  if (!created.ok) throw new ApiError(created.error);
  if (created.value.path) return created.value.path;
  let offset = 0;
  for (;;) {
    const chunk = file.slice(offset, offset + CHUNK);
    const r = await fetch(`/api/uploads/${created.value.id}?offset=${offset}`, { method: 'PUT', headers: h, body: chunk });
    const body = (await r.json()) as Result<{ received: number; path?: string }>;
    if (!body.ok) throw new ApiError(body.error);
    offset = body.value.received;
    onProgress(offset, file.size);
    if (body.value.path) return body.value.path;
  }
}

class Api {
  readonly transport: Transport = window.penny ? ipcTransport(window.penny) : httpTransport();
  session: string | undefined = sessionStorage.getItem('penny.session') ?? undefined;
  onUnauthenticated: (() => void) | undefined;

  setSession(token: string | undefined) {
    this.session = token;
    if (token) sessionStorage.setItem('penny.session', token);
    else sessionStorage.removeItem('penny.session');
  }

  async call<N extends CommandName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
    const r = await this.transport.invoke(name, input, this.session);
    if (!r.ok) {
      if (r.error.code === 'unauthenticated' && name !== 'auth.login') this.onUnauthenticated?.();
      throw new ApiError(r.error);
    }
    if (name === 'media.url') {
      // The core signs a relative media/… URL; Electron serves it through the penny-media: protocol.
      const v = r.value as { url: string; expiresAt: number };
      const url = this.transport.kind === 'ipc' ? `penny-media://${v.url}` : `/${v.url}`;
      return { ...v, url } as OutputOf<N>;
    }
    return r.value as OutputOf<N>;
  }

  /** Untyped call for commands added by domains the UI learns about at run time. */
  async raw<T = unknown>(name: string, input: unknown = {}): Promise<T> {
    return this.call(name as CommandName, input as never) as Promise<T>;
  }

  on(event: string, cb: (payload: unknown) => void): () => void {
    return this.transport.listen((name, payload) => {
      if (name === event || event === '*') cb(payload);
    });
  }
}

export const api = new Api();
