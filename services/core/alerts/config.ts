import type { Severity } from '../../contract/commands/rules.js';
import { ALERT_POLICY_DEFAULTS } from '../../contract/commands/settings.js';
import type { AppDeps } from '../app.js';
import { readSetting } from '../settings/app.js';

/** Settings the alert pipeline reads. Read on every use, so a change in Settings applies at once. */
export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}
export interface SmsConfig {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
}
export type WebhookKind = 'slack' | 'teams' | 'webex';
export interface WebhookConfig {
  url: string;
  kind: WebhookKind;
  token?: string;
  roomId?: string;
}
export interface AlertOptions {
  minSeverity: Severity;
  maxAgeMs: number;
  desktop: boolean;
  linkBase: string;
  stormWindowMs: number;
  rateLimitPerHour: number;
  maxAttempts: number;
}

export const DEFAULT_LINK_BASE = 'penny://open';

/** Which new exceptions raise an alert of their own: read for each one, so only these two settings. */
export function exceptionGate(d: AppDeps): Pick<AlertOptions, 'minSeverity' | 'maxAgeMs'> {
  return {
    minSeverity: readSetting<Severity>(d.db, d.secrets, 'alerts.minSeverity') ?? ALERT_POLICY_DEFAULTS['alerts.minSeverity'],
    maxAgeMs: (readSetting<number>(d.db, d.secrets, 'alerts.maxAgeHours') ?? ALERT_POLICY_DEFAULTS['alerts.maxAgeHours']) * 3600_000,
  };
}

export function alertOptions(d: AppDeps): AlertOptions {
  const get = <T>(k: string) => readSetting<T>(d.db, d.secrets, k);
  return {
    ...exceptionGate(d),
    desktop: get<boolean>('alerts.desktop') ?? true,
    linkBase: (get<string>('alerts.linkBase') ?? DEFAULT_LINK_BASE).replace(/\/+$/, ''),
    stormWindowMs: (get<number>('alerts.stormWindowMinutes') ?? ALERT_POLICY_DEFAULTS['alerts.stormWindowMinutes']) * 60_000,
    rateLimitPerHour: get<number>('alerts.rateLimitPerHour') ?? 10,
    maxAttempts: get<number>('alerts.maxAttempts') ?? 12,
  };
}

/** A missing piece of channel configuration, named so the admin knows which setting to fill in. */
export class NotConfigured extends Error {}

export function smtpConfig(d: AppDeps): SmtpConfig {
  const get = <T>(k: string) => readSetting<T>(d.db, d.secrets, k);
  const host = get<string>('smtp.host');
  const from = get<string>('smtp.from');
  if (!host) throw new NotConfigured('e-mail is not set up: smtp.host is empty');
  if (!from) throw new NotConfigured('e-mail is not set up: smtp.from is empty');
  const secure = get<boolean>('smtp.secure') ?? false;
  return { host, port: get<number>('smtp.port') ?? (secure ? 465 : 587), secure, user: get<string>('smtp.user'), password: get<string>('smtp.password'), from };
}

export function smsConfig(d: AppDeps): SmsConfig {
  const get = <T>(k: string) => readSetting<T>(d.db, d.secrets, k);
  const cfg = { baseUrl: get<string>('sms.baseUrl'), accountSid: get<string>('sms.accountSid'), authToken: get<string>('sms.authToken'), from: get<string>('sms.from') };
  for (const [k, v] of Object.entries(cfg)) if (!v) throw new NotConfigured(`SMS is not set up: sms.${k} is empty`);
  return cfg as SmsConfig;
}

/** The chat webhook, or undefined when none is configured (then no webhook deliveries are enqueued). */
export function webhookConfig(d: AppDeps): WebhookConfig | undefined {
  const get = <T>(k: string) => readSetting<T>(d.db, d.secrets, k);
  const url = get<string>('webhook.url');
  if (!url) return undefined;
  return { url, kind: get<WebhookKind>('webhook.kind') ?? 'slack', token: get<string>('webhook.token') || undefined, roomId: get<string>('webhook.roomId') || undefined };
}
