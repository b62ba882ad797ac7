import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** Test doubles that speak the real wire protocols on 127.0.0.1: an SMTP server and HTTP endpoints. */

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  /** Inline attachments by Content-ID (without <>), base64 bodies decoded. */
  inline: Record<string, Buffer>;
  at: number;
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const src = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '=' && /^[0-9A-F]{2}$/i.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(src[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

const decodeWords = (s: string) =>
  s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, txt: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(txt, 'base64').toString('utf8') : decodeQp(txt.replace(/_/g, ' ')),
  );

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

interface Part {
  headers: Record<string, string>;
  body: string;
}

function parts(headers: Record<string, string>, body: string): Part[] {
  const ct = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(ct)?.[1];
  if (!ct.toLowerCase().startsWith('multipart/') || !boundary) return [{ headers, body }];
  const out: Part[] = [];
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const sep = chunk.search(/\r?\n\r?\n/);
    const h = parseHeaders(chunk.slice(0, sep).replace(/^\r?\n/, ''));
    out.push(...parts(h, chunk.slice(sep).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, '')));
  }
  return out;
}

function decodeBody(p: Part): Buffer {
  const enc = (p.headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(p.body.replace(/\s+/g, ''), 'base64');
  if (enc === 'quoted-printable') return Buffer.from(decodeQp(p.body), 'utf8');
  return Buffer.from(p.body, 'utf8');
}

export function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const sep = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(raw.slice(0, sep));
  const all = parts(headers, raw.slice(sep).replace(/^\r?\n\r?\n/, ''));
  const find = (type: string) => all.find((p) => (p.headers['content-type'] ?? 'text/plain').toLowerCase().startsWith(type));
  const inline: Record<string, Buffer> = {};
  for (const p of all) {
    const cid = p.headers['content-id']?.replace(/[<>]/g, '');
    if (cid) inline[cid] = decodeBody(p);
  }
  return {
    from,
    to,
    raw,
    headers,
    subject: decodeWords(headers.subject ?? ''),
    text: find('text/plain') ? decodeBody(find('text/plain')!).toString('utf8').replace(/\r\n/g, '\n') : '',
    html: find('text/html') ? decodeBody(find('text/html')!).toString('utf8') : '',
    inline,
    at: Date.now(),
  };
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMail[];
  /** Messages refused so far (by `reject`). */
  refused: number;
  /** While set, DATA is answered with this SMTP error instead of being accepted. */
  reject: { code: number; message: string } | null;
  /** Called when DATA starts; return a promise to hold the reply (a slow or hanging server). */
  onData?: (session: SMTPServerSession) => Promise<void> | void;
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function smtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = {
    port: 0,
    messages: [],
    refused: 0,
    reject: null,
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (sink.messages.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} e-mails, got ${sink.messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return sink.messages;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream: SMTPServerDataStream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void (async () => {
          await sink.onData?.(session);
          if (sink.reject) {
            sink.refused++;
            const err = Object.assign(new Error(sink.reject.message), { responseCode: sink.reject.code });
            return cb(err);
          }
          sink.messages.push(
            parseMail(
              Buffer.concat(chunks).toString('utf8'),
              session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              session.envelope.rcptTo.map((r) => r.address),
            ),
          );
          cb(null);
        })();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

export interface HttpRecorder {
  url: string;
  requests: RecordedRequest[];
  /** Statuses to answer with, in order; when empty, `fallback` is used. */
  script: number[];
  fallback: number;
  reply: (req: RecordedRequest) => string;
  waitFor(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export async function httpRecorder(): Promise<HttpRecorder> {
  const rec: HttpRecorder = {
    url: '',
    requests: [],
    script: [],
    fallback: 200,
    reply: () => '',
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (rec.requests.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} requests, got ${rec.requests.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return rec.requests;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = rec.script.length ? rec.script.shift()! : rec.fallback;
      const r: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status };
      rec.requests.push(r);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status < 300 ? rec.reply(r) : JSON.stringify({ code: 20500, message: 'Internal Server Error' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rec;
}

/** Polls until `fn` returns a truthy value (real time, short steps). */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
