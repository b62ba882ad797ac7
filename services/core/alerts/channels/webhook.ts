import type { WebhookConfig } from '../config.js';
import { DeliveryError, describeReply, postWithDeadline, retryableStatus } from './errors.js';

/** Posts a chat message built by templates.chatPayload. Webex bots authenticate with a bearer token. */
export async function sendWebhook(f: typeof fetch, cfg: WebhookConfig, payload: Record<string, unknown>): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
  const res = await postWithDeadline(f, cfg.url, { method: 'POST', headers, body: JSON.stringify(payload) });
  if (!res.ok) throw new DeliveryError(`${cfg.kind} webhook ${await describeReply(res)}`, !retryableStatus(res.status));
  const text = await res.text().catch(() => '');
  // Webex answers with the created message (its id); Slack and Teams answer "ok"/"1" or nothing.
  try {
    return String((JSON.parse(text) as { id?: unknown }).id ?? '');
  } catch {
    return '';
  }
}
