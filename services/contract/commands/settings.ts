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

/** What the alert policy settings mean while unset: the core applies them, Settings shows them. */
export const ALERT_POLICY_DEFAULTS = { 'alerts.minSeverity': 'medium', 'alerts.maxAgeHours': 72, 'alerts.stormWindowMinutes': 10 } as const;

export const SETTINGS: Record<string, SettingSpec> = {
  'ui.theme': spec(z.enum(['system', 'dark', 'light']), 'Colour theme of the station UI.'),
  'pos.defaultRegister': spec(z.string().max(40), 'Register code used when a POS report has no register column.'),
  'pos.watchFolder': spec(z.string().max(4096), 'Folder watched for new POS reports; imported files move to its processed/ (or failed/) subfolder.'),
  'pos.importSchedule': spec(HHMM, 'Local time each day at which the watched folder is swept for reports (e.g. 06:00).'),
  'pos.defaultMapping': spec(z.string().max(80), 'Mapping preset used for CSV/XLSX files from the watched folder that are not Modisoft.'),
  'video.recorder.enabled': spec(Bool, 'Record enabled cameras continuously while the station runs (default true).'),
  'video.segmentSeconds': spec(z.coerce.number().int().min(2).max(3600), 'Length of each recording segment in seconds (default 60).'),
  'video.rtspTransport': spec(z.enum(['tcp', 'udp']), 'RTSP transport used by the recorder (default tcp).'),
  'video.retention.maxAgeHours': spec(z.coerce.number().int().min(1).max(24 * 365), 'Delete recordings older than this many hours (default 168).'),
  'video.retention.maxGb': spec(z.coerce.number().positive().max(100_000), 'Keep at most this many GB of recordings, oldest deleted first (default 200).'),
  'video.clips.concurrency': spec(z.coerce.number().int().min(1).max(8), 'How many clips are cut at once (default 2).'),
  'video.clips.storeId': spec(z.string().regex(/^[A-Za-z0-9-]{1,20}$/, 'store id may use letters, digits and -'), 'Store id at the start of clip file names (default the store number).'),
  'cameras.healthIntervalSeconds': spec(z.coerce.number().int().min(1).max(3600), 'How often each camera stream is checked for health, in seconds (default 60).'),
  'cameras.offlineAlertMinutes': spec(z.coerce.number().min(0).max(1440), 'A camera offline this many minutes raises an alert (default 5; fractions allowed).'),
  'cameras.liveIdleSeconds': spec(z.coerce.number().int().min(0).max(600), 'Live view stops this many seconds after the last viewer leaves (default 10).'),
  'cameras.mqtt.host': spec(z.string().max(200), 'MQTT broker for MV Sense-style person events (empty: off).'),
  'cameras.mqtt.port': spec(Port, 'MQTT broker port (default 1883).'),
  'cameras.mqtt.user': spec(z.string().max(200), 'MQTT user name.'),
  'cameras.mqtt.password': spec(z.string().max(500), 'MQTT password.', true),
  'cameras.mqtt.topic': spec(z.string().min(1).max(200), 'Topic filter for person counts (default /merakimv/+/0); a camera is matched by its MV serial in the topic.'),
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
  'summary.weeklyDay': spec(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']), 'Day on which the weekly report is sent (at summary.time).'),
  'webhook.token': spec(z.string().max(500), 'Bearer token for a Webex bot (webhook.kind webex); empty for incoming webhooks.', true),
  'webhook.roomId': spec(z.string().max(200), 'Webex room the bot posts into.'),
  'alerts.minSeverity': spec(z.enum(['low', 'medium', 'high', 'critical']), 'New exceptions at or above this severity raise an alert (default medium).'),
  'alerts.maxAgeHours': spec(
    z.coerce.number().int().min(1).max(8760),
    'Exceptions on transactions older than this many hours (an import of past reports) are summed up in one alert instead of one alert each (default 72).',
  ),
  'alerts.desktop': spec(Bool, 'Show alerts as desktop notifications (default true).'),
  'alerts.linkBase': spec(z.string().max(500), 'Start of deep links in alerts, e.g. http://station.local:8780 (default penny://open).'),
  'alerts.stormWindowMinutes': spec(z.coerce.number().int().min(0).max(1440), 'Bursts of one alert type on one register within this many minutes go out as one message (0 = off; default 10).'),
  'alerts.rateLimitPerHour': spec(z.coerce.number().int().min(1).max(1000), 'Most messages per contact and channel per hour; more wait (default 10). Critical alerts are never held.'),
  'alerts.maxAttempts': spec(z.coerce.number().int().min(1).max(50), 'Delivery attempts before a message goes to the dead-letter list (default 12).'),
  'faces.engine': spec(z.enum(['local', 'rekognition']), 'Face engine: local (on-device, default) or rekognition (Amazon, opt-in).'),
  'faces.maxDistance': spec(z.coerce.number().min(0.2).max(1.2), 'Local engine: largest descriptor distance that counts as a match (default 0.55 strict; 0.58 balanced).'),
  'faces.minSimilarity': spec(z.coerce.number().min(50).max(100), 'Rekognition: smallest similarity (%) that counts as a match (default 95).'),
  'faces.agreeK': spec(z.coerce.number().int().min(1).max(20), 'Return-offender alert: frames that must agree on a subject (K of N; default 2).'),
  'faces.agreeN': spec(z.coerce.number().int().min(1).max(20), 'Return-offender alert: frames considered (N; default 5).'),
  'faces.minFacePx': spec(z.coerce.number().int().min(20).max(1000), 'Quality gate: smallest face side in pixels (default 40).'),
  'rekognition.region': spec(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'region looks like us-east-1'), 'AWS region of the Rekognition collection.'),
  'rekognition.accessKeyId': spec(z.string().min(8).max(128), 'AWS access key id for Rekognition.'),
  'rekognition.secretAccessKey': spec(z.string().min(8).max(256), 'AWS secret access key for Rekognition.', true),
  'rekognition.sessionToken': spec(z.string().max(4000), 'AWS session token (temporary credentials), if any.', true),
  'rekognition.collectionId': spec(z.string().regex(/^[a-zA-Z0-9_.\-]{1,255}$/, 'collection id is letters, digits, _ . -'), 'Rekognition collection holding this store\'s watchlist (default penny-watchlist).'),
  'sync.intervalSeconds': spec(z.coerce.number().int().min(5).max(86_400), 'How often the station syncs with the Penny Network while paired, in seconds (default 60).'),
  'sync.chunkKb': spec(z.coerce.number().int().min(16).max(8192), 'Evidence upload chunk size in KB; a cut connection resumes at the last whole chunk (default 1024).'),
  'rekognition.endpoint': spec(z.string().url(), 'Custom Rekognition endpoint (private link or a test fake); normally unset.'),
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
