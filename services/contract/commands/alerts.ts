import { z } from 'zod';
import { defineCommand, defineEvent } from '../registry.js';
import { EpochMs, Id, NonEmpty, Ok } from '../common.js';
import { Severity } from './rules.js';

/**
 * Alerts: contacts, alert records and their deliveries (the durable outbox). An alert is written to
 * SQLite first; each (alert, channel, target) becomes one delivery row that a worker sends with
 * retries, so a crash loses nothing and a row is never enqueued twice.
 */

export const CONTACT_CHANNELS = ['email', 'sms'] as const;
export const ContactChannel = z.enum(CONTACT_CHANNELS);
export const CHANNELS = ['email', 'sms', 'webhook', 'desktop'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

/** Where an alert came from; contacts choose which sources they hear about. */
export const ALERT_SOURCES = ['exception', 'face', 'camera', 'sync', 'summary', 'system'] as const;
export const AlertSource = z.enum(ALERT_SOURCES);
export type AlertSource = z.infer<typeof AlertSource>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (24-hour)');
const Email = z.string().trim().max(254).email('e-mail address is not valid');
/** E.164-ish: a leading + and 7–15 digits; spaces, dashes and brackets are dropped first. */
const Phone = z
  .string()
  .transform((s) => s.replace(/[\s\-().]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be in international form, e.g. +15551234567'));

export const Contact = z.object({
  id: Id,
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  channels: z.array(ContactChannel),
  severities: z.array(Severity),
  sources: z.array(AlertSource),
  /** Local store time; deliveries below critical wait until quietEnd. */
  quietStart: z.string().nullable(),
  quietEnd: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type Contact = z.infer<typeof Contact>;

export const ContactInput = z
  .object({
    id: Id.optional(),
    name: NonEmpty('contact name', 120),
    email: Email.nullable().optional(),
    phone: Phone.nullable().optional(),
    channels: z.array(ContactChannel).max(2).optional(),
    severities: z.array(Severity).min(1, 'choose at least one severity').optional(),
    sources: z.array(AlertSource).min(1, 'choose at least one source').optional(),
    quietStart: HHMM.nullable().optional(),
    quietEnd: HHMM.nullable().optional(),
    enabled: z.boolean().default(true),
  })
  .refine((c) => (c.quietStart == null) === (c.quietEnd == null), { message: 'give both quietStart and quietEnd, or neither', path: ['quietEnd'] });

export const DELIVERY_STATES = ['pending', 'sending', 'sent', 'dead'] as const;
export const DeliveryState = z.enum(DELIVERY_STATES);

export const Delivery = z.object({
  id: Id,
  alertId: Id,
  channel: Channel,
  /** `contact:<id>` for e-mail and SMS, `store` for the webhook and the desktop. */
  target: z.string(),
  contactId: Id.nullable(),
  state: DeliveryState,
  attempts: z.number().int(),
  nextAttemptAt: EpochMs,
  lastError: z.string().nullable(),
  sentAt: EpochMs.nullable(),
  providerId: z.string().nullable(),
});
export type Delivery = z.infer<typeof Delivery>;

/** pending: some delivery still to go; failed: some delivery is dead-lettered; aggregated: folded into a storm digest. */
export const ALERT_STATUSES = ['pending', 'sent', 'failed', 'aggregated', 'none'] as const;
export const AlertStatus = z.enum(ALERT_STATUSES);

export const Alert = z.object({
  id: Id,
  source: AlertSource,
  type: z.string().nullable(),
  severity: Severity,
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  register: z.string().nullable(),
  entity: z.string().nullable(),
  entityId: z.string().nullable(),
  status: AlertStatus,
  stormId: Id.nullable(),
  createdAt: EpochMs,
  deliveries: z.array(Delivery),
});
export type Alert = z.infer<typeof Alert>;

export const RaiseInput = z.object({
  source: AlertSource.default('system'),
  /** A machine type such as no_sale, refund, camera_offline; bursts of one type per register are aggregated. */
  type: z.string().trim().regex(/^[a-z][a-z0-9_]{0,39}$/, 'type is lower-case letters, digits and underscores').optional(),
  severity: Severity,
  title: NonEmpty('title', 200),
  body: z.string().max(4000).default(''),
  /** Deep link into Penny; built from alerts.linkBase and entity when omitted. */
  link: z.string().max(1000).optional(),
  register: z.string().max(40).optional(),
  entity: z.string().max(40).optional(),
  entityId: z.union([z.string().max(80), z.number().int()]).transform(String).optional(),
  /** Image file (inside the data folder) attached inline to the e-mail, e.g. a clip thumbnail. */
  thumbnailPath: z.string().max(4096).optional(),
  /** Raising twice with the same key gives the same alert (e.g. exception:42). */
  dedupeKey: z.string().max(200).optional(),
});
export type RaiseInput = z.input<typeof RaiseInput>;

export const contactsList = defineCommand({
  name: 'contacts.list',
  access: 'manager',
  doc: 'Alert contacts with their channels, severities, sources and quiet hours.',
  input: z.object({}).strict(),
  output: z.array(Contact),
});

export const contactsSave = defineCommand({
  name: 'contacts.save',
  access: 'admin',
  doc: 'Add a contact, or change one when id is given. E-mail needs an address, SMS a phone number.',
  input: ContactInput,
  output: Contact,
});

export const contactsRemove = defineCommand({
  name: 'contacts.remove',
  access: 'admin',
  doc: 'Remove a contact. Deliveries already sent stay in the history.',
  input: z.object({ id: Id }),
  output: Ok,
});

export const alertsTest = defineCommand({
  name: 'alerts.test',
  access: 'admin',
  doc: '"Send test": send one test message now on a channel (to a contact for e-mail/SMS) and report the outcome. Bypasses the outbox.',
  input: z.object({ channel: Channel, contactId: Id.optional() }),
  output: z.object({ ok: z.boolean(), channel: Channel, providerId: z.string().nullable(), error: z.string().nullable(), ms: z.number() }),
});

export const alertsRaise = defineCommand({
  name: 'alerts.raise',
  access: 'admin',
  doc: 'Raise an alert directly (camera health, face matches, sync failures, tests). Written to the outbox, delivered in the background.',
  input: RaiseInput,
  output: Alert,
});

export const alertsList = defineCommand({
  name: 'alerts.list',
  access: 'viewer',
  doc: 'Alerts, newest first, with their deliveries. status=failed is the dead-letter list.',
  input: z.object({
    status: AlertStatus.optional(),
    source: AlertSource.optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    beforeId: Id.optional(),
  }),
  output: z.array(Alert),
});

export const alertsGet = defineCommand({
  name: 'alerts.get',
  access: 'viewer',
  doc: 'One alert with its deliveries.',
  input: z.object({ id: Id }),
  output: Alert,
});

export const alertsRetry = defineCommand({
  name: 'alerts.retry',
  access: 'admin',
  doc: 'Send the failed (dead-lettered) or waiting deliveries of an alert again now, with a fresh attempt budget.',
  input: z.object({ id: Id }),
  output: Alert,
});

export const alertsDeliver = defineCommand({
  name: 'alerts.deliver',
  access: 'admin',
  doc: 'Attempt every delivery that is due now (and close finished storm windows), and wait for the outcome.',
  input: z.object({}).strict(),
  output: z.object({ attempted: z.number().int(), sent: z.number().int(), failed: z.number().int(), deferred: z.number().int() }),
});

export const SummaryPeriod = z.enum(['daily', 'weekly']);
export const Summary = z.object({
  period: SummaryPeriod,
  since: EpochMs,
  until: EpochMs,
  /** Where the figures came from: the POS exception table, or the alert records when there is none. */
  basis: z.enum(['exceptions', 'alerts']),
  total: z.number().int(),
  countsByType: z.array(z.object({ type: z.string(), count: z.number().int() })),
  countsBySeverity: z.array(z.object({ severity: Severity, count: z.number().int() })),
  top: z.array(z.object({ id: z.number().int(), title: z.string(), severity: Severity, at: EpochMs, link: z.string() })),
  title: z.string(),
  text: z.string(),
  alertId: Id.nullable(),
});
export type Summary = z.infer<typeof Summary>;

export const alertsSummary = defineCommand({
  name: 'alerts.summary',
  access: 'manager',
  doc: 'Build the daily (last 24 h) or weekly (last 7 days) summary; with send=true also send it to the contacts who take summaries.',
  input: z.object({ period: SummaryPeriod.default('daily'), send: z.boolean().default(false) }),
  output: Summary,
});

export const alertsCommands = [
  contactsList,
  contactsSave,
  contactsRemove,
  alertsTest,
  alertsRaise,
  alertsList,
  alertsGet,
  alertsRetry,
  alertsDeliver,
  alertsSummary,
] as const;

export const alertRaised = defineEvent({
  name: 'alert.raised',
  doc: 'The desktop channel: show a notification (Electron Notification, or the Notifications API in browser mode).',
  payload: z.object({ id: z.number(), source: AlertSource, severity: Severity, title: z.string(), body: z.string(), link: z.string().nullable() }),
});

export const alertUpdated = defineEvent({
  name: 'alert.updated',
  doc: 'An alert was recorded or one of its deliveries changed state (sent, retrying, dead-lettered).',
  payload: z.object({ id: z.number(), status: AlertStatus }),
});

export const alertsEvents = [alertRaised, alertUpdated] as const;
