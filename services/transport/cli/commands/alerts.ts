import type { Alert, Contact, Summary } from '../../../contract/index.js';
import { CliError, intOpt, requireOpt, str, type CliCommand } from '../types.js';
import { printOr } from '../output.js';

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

const contactLine = (c: Contact) =>
  `${c.id}\t${c.name}\t${[c.email, c.phone].filter(Boolean).join(', ') || '-'}\t${c.channels.join(',') || '(no channels)'}${c.enabled ? '' : '\t(disabled)'}`;

const alertLine = (a: Alert) => {
  const sent = a.deliveries.filter((x) => x.state === 'sent').length;
  return `${a.id}\t${a.status}\t${a.severity}\t${new Date(a.createdAt).toISOString()}\t${a.title}\t(${sent}/${a.deliveries.length} sent)`;
};

const contactOptions = {
  name: { type: 'string' },
  email: { type: 'string' },
  phone: { type: 'string' },
  channels: { type: 'string' },
  severities: { type: 'string' },
  sources: { type: 'string' },
  quiet: { type: 'string' },
} as const;

/** --quiet 22:00-06:00 → quietStart/quietEnd; --quiet "" clears them. */
function quiet(v: string | undefined) {
  if (v === undefined) return {};
  if (v === '') return { quietStart: null, quietEnd: null };
  const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(v);
  if (!m) throw new CliError(`--quiet must look like 22:00-06:00, got "${v}"`, 2);
  return { quietStart: m[1], quietEnd: m[2] };
}

export const alertsCliCommands: CliCommand[] = [
  {
    path: ['contacts', 'add'],
    summary: 'Add an alert contact',
    usage: 'penny contacts add --name N [--email E] [--phone P] [--channels email,sms] [--severities high,critical] [--sources exception,face,...] [--quiet 22:00-06:00] [--json]',
    options: contactOptions,
    async run(ctx, v) {
      const c = await ctx.call<Contact>('contacts.save', {
        name: requireOpt(v, 'name'),
        email: str(v.email),
        phone: str(v.phone),
        channels: list(str(v.channels)),
        severities: list(str(v.severities)),
        sources: list(str(v.sources)),
        ...quiet(str(v.quiet)),
      });
      printOr(ctx, c, `Added contact ${c.id} (${c.channels.join(', ') || 'no channels'}).`);
    },
  },
  {
    path: ['contacts', 'set'],
    summary: 'Change an alert contact',
    usage: 'penny contacts set ID --name N [--email E] [--phone P] [--channels email,sms] [--severities …] [--sources …] [--quiet 22:00-06:00] [--json]',
    options: contactOptions,
    positionals: true,
    async run(ctx, v, pos) {
      const id = Number(pos[0]);
      if (pos.length !== 1 || !Number.isInteger(id) || id <= 0) throw new CliError('usage: penny contacts set ID --name N …', 2);
      const c = await ctx.call<Contact>('contacts.save', {
        id,
        name: requireOpt(v, 'name'),
        email: str(v.email),
        phone: str(v.phone),
        channels: list(str(v.channels)),
        severities: list(str(v.severities)),
        sources: list(str(v.sources)),
        ...quiet(str(v.quiet)),
      });
      printOr(ctx, c, `Updated contact ${c.id}.`);
    },
  },
  {
    path: ['contacts', 'list'],
    summary: 'List alert contacts',
    usage: 'penny contacts list [--json]',
    async run(ctx) {
      const cs = await ctx.call<Contact[]>('contacts.list');
      printOr(ctx, cs, cs.length ? cs.map(contactLine).join('\n') : 'No contacts yet. Add one with `penny contacts add`.');
    },
  },
  {
    path: ['contacts', 'test'],
    summary: 'Send a test message to a contact on one channel (email or sms)',
    usage: 'penny contacts test ID --channel email|sms [--json]',
    options: { channel: { type: 'string' } },
    positionals: true,
    async run(ctx, v, pos) {
      const id = Number(pos[0]);
      if (pos.length !== 1 || !Number.isInteger(id) || id <= 0) throw new CliError('usage: penny contacts test ID --channel email|sms', 2);
      const r = await ctx.call<{ ok: boolean; error: string | null; ms: number }>('alerts.test', { channel: requireOpt(v, 'channel'), contactId: id });
      printOr(ctx, r, r.ok ? `Test sent in ${r.ms} ms.` : `Test failed: ${r.error}`);
      return r.ok ? 0 : 1;
    },
  },
  {
    path: ['alerts', 'list'],
    summary: 'List alerts (status failed = the dead-letter list)',
    usage: 'penny alerts list [--status pending|sent|failed|aggregated|none] [--limit N] [--json]',
    options: { status: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx, v) {
      const as = await ctx.call<Alert[]>('alerts.list', { status: str(v.status), limit: intOpt(v, 'limit') });
      printOr(ctx, as, as.length ? as.map(alertLine).join('\n') : 'No alerts.');
    },
  },
  {
    path: ['alerts', 'raise'],
    summary: 'Raise an alert by hand (it goes through the outbox like any other)',
    usage: 'penny alerts raise --severity low|medium|high|critical --title T [--body B] [--source system] [--type T] [--register R] [--json]',
    options: { severity: { type: 'string' }, title: { type: 'string' }, body: { type: 'string' }, source: { type: 'string' }, type: { type: 'string' }, register: { type: 'string' } },
    async run(ctx, v) {
      const a = await ctx.call<Alert>('alerts.raise', {
        severity: requireOpt(v, 'severity'),
        title: requireOpt(v, 'title'),
        body: str(v.body),
        source: str(v.source),
        type: str(v.type),
        register: str(v.register),
      });
      await ctx.call('alerts.deliver');
      printOr(ctx, await ctx.call<Alert>('alerts.get', { id: a.id }), `Alert ${a.id} raised.`);
    },
  },
  {
    path: ['alerts', 'retry'],
    summary: 'Retry the failed deliveries of an alert now',
    usage: 'penny alerts retry ID [--json]',
    positionals: true,
    async run(ctx, _v, pos) {
      const id = Number(pos[0]);
      if (pos.length !== 1 || !Number.isInteger(id) || id <= 0) throw new CliError('usage: penny alerts retry ID', 2);
      await ctx.call<Alert>('alerts.retry', { id });
      // The CLI process ends right after; deliver here rather than leave it to a running station.
      await ctx.call('alerts.deliver');
      const a = await ctx.call<Alert>('alerts.get', { id });
      printOr(ctx, a, alertLine(a) + a.deliveries.filter((x) => x.lastError && x.state !== 'sent').map((x) => `\n  ${x.channel} ${x.target}: ${x.lastError}`).join(''));
      return a.status === 'sent' ? 0 : 1;
    },
  },
  {
    path: ['alerts', 'summary'],
    summary: 'Show the daily summary (or the weekly report); --send also sends it',
    usage: 'penny alerts summary [--weekly] [--send] [--json]',
    options: { weekly: { type: 'boolean' }, send: { type: 'boolean' } },
    async run(ctx, v) {
      const s = await ctx.call<Summary>('alerts.summary', { period: v.weekly ? 'weekly' : 'daily', send: !!v.send });
      let human = s.text;
      if (s.alertId) {
        const a = await ctx.call<Alert>('alerts.get', { id: s.alertId });
        human += `\n\nSent as alert ${a.id}: ${a.status} (${a.deliveries.filter((x) => x.state === 'sent').length}/${a.deliveries.length} deliveries sent)`;
      }
      printOr(ctx, s, human);
    },
  },
];
