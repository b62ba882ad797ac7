import { z } from 'zod';
import { defineCommand } from '../registry.js';
import { Empty } from '../common.js';

/**
 * Every setting the station knows. A key not listed here is refused, so a typo in the CLI or a
 * stale UI cannot write junk. `secret` values are encrypted at rest and never returned.
 */
interface SettingSpec {
  schema: z.ZodType;
  secret?: boolean;
  doc: string;
}
const spec = (schema: z.ZodType, doc: string, secret = false): SettingSpec => ({ schema, doc, secret });
const Port = z.coerce.number().int().min(1).max(65535);
const Bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (24-hour)');

export const SETTINGS: Record<string, SettingSpec> = {
  'ui.theme': spec(z.enum(['system', 'dark', 'light']), 'Colour theme of the station UI.'),
  'pos.defaultRegister': spec(z.string().max(40), 'Register code used when a POS report has no register column.'),
  'smtp.host': spec(z.string().max(200), 'SMTP server host for alert e-mail.'),
  'smtp.port': spec(Port, 'SMTP server port.'),
  'smtp.secure': spec(Bool, 'Use TLS from the start (port 465) rather than STARTTLS.'),
  'smtp.user': spec(z.string().max(200), 'SMTP user name.'),
  'smtp.password': spec(z.string().max(500), 'SMTP password.', true),
  'smtp.from': spec(z.string().max(200), 'From address of alert e-mail.'),
  'sms.baseUrl': spec(z.string().url(), 'Base URL of the Twilio-compatible SMS API.'),
  'sms.accountSid': spec(z.string().max(100), 'SMS account id.'),
  'sms.authToken': spec(z.string().max(200), 'SMS auth token.', true),
  'sms.from': spec(z.string().max(40), 'SMS sender number.'),
  'webhook.url': spec(z.string().url(), 'Chat webhook URL (Slack, Teams or Webex).', true),
  'webhook.kind': spec(z.enum(['slack', 'teams', 'webex']), 'Message format of the chat webhook.'),
  'summary.time': spec(HHMM, 'Local time at which the daily summary is sent.'),
};

export function settingSpec(key: string): SettingSpec | undefined {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key) ? SETTINGS[key] : undefined;
}

export const SettingEntry = z.object({
  key: z.string(),
  /** null when unset; secrets are never sent back, only whether they are set. */
  value: z.unknown().nullable(),
  secret: z.boolean(),
  isSet: z.boolean(),
  doc: z.string(),
});

export const settingsList = defineCommand({
  name: 'settings.list',
  access: 'viewer',
  doc: 'All settings with their current values (secrets show only whether they are set).',
  input: Empty,
  output: z.array(SettingEntry),
});

export const settingsGet = defineCommand({
  name: 'settings.get',
  access: 'viewer',
  doc: 'One setting (a secret shows only whether it is set).',
  input: z.object({ key: z.string() }),
  output: SettingEntry,
});

export const settingsSet = defineCommand({
  name: 'settings.set',
  access: 'admin',
  doc: 'Set a setting; null clears it. The value is validated against the key.',
  input: z.object({ key: z.string(), value: z.unknown() }),
  output: SettingEntry,
});

export const settingsCommands = [settingsList, settingsGet, settingsSet] as const;
