import type { SmsConfig } from '../config.js';
import { DeliveryError, describeReply, postWithDeadline, retryableStatus } from './errors.js';

/**
 * Twilio's Messages API shape, which Twilio-compatible providers copy:
 * POST {base}/2010-04-01/Accounts/{Sid}/Messages.json, form-encoded To/From/Body, HTTP basic auth.
 */
export async function sendSms(f: typeof fetch, cfg: SmsConfig, to: string, body: string): Promise<string> {
  const url = `${cfg.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`;
  const res = await postWithDeadline(f, url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ To: to, From: cfg.from, Body: body }).toString(),
  });
  if (!res.ok) throw new DeliveryError(`SMS API ${await describeReply(res)}`, !retryableStatus(res.status));
  const json = (await res.json().catch(() => ({}))) as { sid?: string };
  return json.sid ?? '';
}
