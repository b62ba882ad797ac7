import { existsSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../config.js';
import { DeliveryError } from './errors.js';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery, so a receiving server (or a person) can spot a resend after a crash. */
  messageId: string;
  /** Inline image (clip thumbnail), referenced as cid:<cid> from the HTML. */
  thumbnail?: { path: string; cid: string };
}

/** Resolves a thumbnail path inside the data folder; anything outside it is ignored rather than mailed. */
export function thumbnailInside(dataDir: string, p: string | null): string | null {
  if (!p) return null;
  const abs = resolve(isAbsolute(p) ? p : join(dataDir, p));
  const rel = relative(resolve(dataDir), abs);
  if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(abs)) return null;
  return abs;
}

export async function sendEmail(cfg: SmtpConfig, m: EmailMessage): Promise<string> {
  const transport = nodemailer.createTransport({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    auth: cfg.user ? { user: cfg.user, pass: cfg.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  try {
    const info = await transport.sendMail({
      from: cfg.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      messageId: m.messageId,
      attachments: m.thumbnail ? [{ filename: basename(m.thumbnail.path), path: m.thumbnail.path, cid: m.thumbnail.cid }] : [],
    });
    return info.messageId;
  } catch (err) {
    const e = err as Error & { responseCode?: number; code?: string; response?: string };
    // A 5xx on the envelope means the server refuses this recipient for good; everything else
    // (4xx, connection refused, timeouts, a 5xx on DATA during an outage) is worth another try.
    const permanent = e.code === 'EENVELOPE' && (e.responseCode ?? 0) >= 500;
    throw new DeliveryError(`SMTP ${e.responseCode ?? e.code ?? 'error'}: ${(e.response ?? e.message).slice(0, 200)}`, permanent);
  } finally {
    transport.close();
  }
}
