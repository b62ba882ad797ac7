import { DateTime } from 'luxon';
import type { Db } from '../db/open.js';
import type { WebhookConfig } from './config.js';
import type { AlertRow } from './records.js';

/** How each channel renders an alert. Content only; sending lives in channels/. */

export interface RenderContext {
  storeName: string;
  zone: string;
}

export function renderContext(db: Db): RenderContext {
  const s = db.prepare('SELECT name, timezone FROM store WHERE id = 1').get() as { name: string; timezone: string } | undefined;
  return { storeName: s?.name ?? 'Penny Station', zone: s?.timezone ?? 'UTC' };
}

export const fmtLocal = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ');

const SEVERITY_LABEL = { low: 'Low', medium: 'Medium', high: 'High', critical: 'CRITICAL' } as const;

export const subjectOf = (a: AlertRow, c: RenderContext) =>
  a.source === 'summary' ? `[${c.storeName}] ${a.title}` : `[${c.storeName}] ${SEVERITY_LABEL[a.severity]}: ${a.title}`;

function facts(a: AlertRow, c: RenderContext): [string, string][] {
  const f: [string, string][] = [];
  if (a.source !== 'summary') f.push(['Severity', SEVERITY_LABEL[a.severity]]);
  if (a.register) f.push(['Register', a.register]);
  f.push(['When', fmtLocal(a.created_at, c.zone)]);
  return f;
}

export function emailText(a: AlertRow, c: RenderContext): string {
  return [
    a.title,
    '',
    ...(a.body ? [a.body, ''] : []),
    ...facts(a, c).map(([k, v]) => `${k}: ${v}`),
    ...(a.link ? ['', `Open in Penny: ${a.link}`] : []),
    '',
    `— Penny Station at ${c.storeName} (alert #${a.id})`,
  ].join('\n');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
/** Escapes, then turns URLs into links and newlines into breaks (bodies of digests and summaries list links). */
const richText = (s: string) => esc(s).replace(/\b((?:https?|penny):\/\/[^\s<]+)/g, '<a href="$1">$1</a>').replace(/\n/g, '<br>\n');

export function emailHtml(a: AlertRow, c: RenderContext, thumbnailCid: string | null): string {
  const colour = { low: '#64748b', medium: '#d97706', high: '#dc2626', critical: '#7f1d1d' }[a.severity];
  return `<!doctype html>
<html><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#0f172a;margin:0;padding:16px">
<div style="max-width:560px">
<div style="border-left:4px solid ${colour};padding-left:12px">
<h2 style="margin:0 0 8px">${esc(a.title)}</h2>
${a.body ? `<p style="margin:0 0 12px">${richText(a.body)}</p>` : ''}
</div>
${thumbnailCid ? `<p><img src="cid:${thumbnailCid}" alt="Clip thumbnail" style="max-width:100%;border-radius:6px"></p>` : ''}
<table style="border-collapse:collapse;margin:12px 0">${facts(a, c)
    .map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#64748b">${esc(k)}</td><td>${esc(v)}</td></tr>`)
    .join('')}</table>
${a.link ? `<p><a href="${esc(a.link)}" style="display:inline-block;background:#0f172a;color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none">Open in Penny</a></p>` : ''}
<p style="color:#94a3b8;font-size:12px">Penny Station at ${esc(c.storeName)} · alert #${a.id}</p>
</div></body></html>`;
}

/** One SMS segment where possible: the title and the link; the body only for short alerts. */
export function smsText(a: AlertRow, c: RenderContext): string {
  const head = `${c.storeName}: ${a.title}`;
  const link = a.link ? ` ${a.link}` : '';
  const withBody = a.body && a.source !== 'summary' ? `${head} — ${a.body}${link}` : `${head}${link}`;
  return withBody.length <= 320 ? withBody : `${head.slice(0, 300 - link.length)}${link}`;
}

function markdown(a: AlertRow, c: RenderContext): string {
  return [
    `**${a.source === 'summary' ? a.title : `${SEVERITY_LABEL[a.severity]}: ${a.title}`}**`,
    ...(a.body ? [a.body] : []),
    facts(a, c)
      .map(([k, v]) => `${k}: ${v}`)
      .join(' · '),
    ...(a.link ? [`[Open in Penny](${a.link})`] : []),
  ].join('\n\n');
}

/**
 * The request body for each chat service: Slack incoming webhook (text + Block Kit), a Teams
 * workflow webhook (message with an Adaptive Card), Webex (bot style: markdown to a room, or an
 * incoming webhook when no room is set).
 */
export function chatPayload(cfg: WebhookConfig, a: AlertRow, c: RenderContext): Record<string, unknown> {
  const fallback = `${c.storeName}: ${a.title}${a.link ? ` — ${a.link}` : ''}`;
  if (cfg.kind === 'slack') {
    const mrkdwn = markdown(a, c)
      .replace(/\*\*(.+?)\*\*/g, '*$1*')
      .replace(/\[(.+?)\]\((.+?)\)/g, '<$2|$1>');
    return {
      text: fallback,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: a.title.slice(0, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: mrkdwn.slice(0, 3000) } },
        ...(a.link ? [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Penny' }, url: a.link }] }] : []),
      ],
    };
  }
  if (cfg.kind === 'teams') {
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: a.title },
              ...(a.body ? [{ type: 'TextBlock', wrap: true, text: a.body }] : []),
              { type: 'FactSet', facts: facts(a, c).map(([title, value]) => ({ title, value })) },
            ],
            actions: a.link ? [{ type: 'Action.OpenUrl', title: 'Open in Penny', url: a.link }] : [],
          },
        },
      ],
    };
  }
  return { ...(cfg.roomId ? { roomId: cfg.roomId } : {}), text: fallback, markdown: markdown(a, c) };
}
