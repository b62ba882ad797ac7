import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { ErrorBanner, fieldErrors, SelectField, TextField } from '../../ui/kit';
import { ALERT_POLICY_DEFAULTS, type OutputOf } from '../../../../services/contract/index';
import './settings-sections.css';

type Contact = OutputOf<'contacts.list'>[number];
type Setting = OutputOf<'settings.list'>[number];
type TestOutcome = OutputOf<'alerts.test'>;

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
type Sev = (typeof SEVERITIES)[number];
const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) }));
const CHANNEL_WORD: Record<string, string> = { email: 'e-mail', sms: 'SMS', webhook: 'chat message', desktop: 'notification' };
const outcome = (t: TestOutcome) => {
  const w = CHANNEL_WORD[t.channel] ?? t.channel;
  return t.ok ? `Test ${w} sent in ${Math.round(t.ms)} ms.` : `Test ${w} failed: ${t.error ?? 'unknown error'}`;
};

/** Settings → Alerts: who hears about what, how messages leave the station, and what failed. */
export function Alerts() {
  const contacts = useQuery(() => api.call('contacts.list', {}), []);
  return (
    <div className="sx-stack">
      <Contacts list={contacts.data} error={contacts.error} reload={contacts.reload} />
      <Channels />
      <DeadLetters />
    </div>
  );
}

function Contacts({ list, error, reload }: { list?: Contact[]; error?: ApiError; reload(): void }) {
  const [editing, setEditing] = useState<Contact | 'new'>();
  const [tests, setTests] = useState<Record<string, { text: string; ok: boolean }>>({});
  const [busy, setBusy] = useState('');
  const sendTest = async (c: Contact, channel: 'email' | 'sms') => {
    const k = `${c.id}:${channel}`;
    setBusy(k);
    try {
      const t = await api.call('alerts.test', { channel, contactId: c.id });
      setTests((x) => ({ ...x, [c.id]: { text: outcome(t), ok: t.ok } }));
    } catch (e) {
      setTests((x) => ({ ...x, [c.id]: { text: asError(e).message, ok: false } }));
    } finally {
      setBusy('');
    }
  };
  const remove = async (c: Contact) => {
    if (!window.confirm(`Remove ${c.name} from alert contacts?`)) return;
    await api.call('contacts.remove', { id: c.id }).then(reload, (e: unknown) => setTests((x) => ({ ...x, [c.id]: { text: asError(e).message, ok: false } })));
  };
  return (
    <section className="card">
      <div className="row">
        <h2 className="grow">Alert contacts</h2>
        {editing !== 'new' && <button className="btn primary" type="button" onClick={() => setEditing('new')}>Add contact</button>}
      </div>
      <ErrorBanner error={error} />
      {editing === 'new' && <ContactForm onDone={() => { setEditing(undefined); reload(); }} onCancel={() => setEditing(undefined)} />}
      {list && !list.length && editing !== 'new' && <p className="dim">No contacts yet. Alerts are shown on this station only until you add someone.</p>}
      {list?.map((c) =>
        editing !== 'new' && editing?.id === c.id ? (
          <ContactForm key={c.id} contact={c} onDone={() => { setEditing(undefined); reload(); }} onCancel={() => setEditing(undefined)} />
        ) : (
          <article key={c.id} className="sx-contact" aria-label={`Contact ${c.name}`}>
            <div className="row">
              <h3 className="grow">{c.name}{!c.enabled && <span className="dim"> (paused)</span>}</h3>
              <button className="btn ghost" type="button" onClick={() => setEditing(c)}>Edit</button>
              <button className="btn ghost danger" type="button" onClick={() => void remove(c)}>Remove</button>
            </div>
            <div className="dim">
              {[c.email, c.phone].filter(Boolean).join(' · ') || 'No address'} — {c.channels.length ? c.channels.map((x) => (x === 'email' ? 'e-mail' : 'SMS')).join(' + ') : 'no channels'}, {minSeverity(c.severities)} and up
              {c.quietStart ? `, quiet ${c.quietStart}–${c.quietEnd}` : ''}
            </div>
            <div className="row">
              {c.email && <button className="btn" type="button" disabled={!!busy} onClick={() => void sendTest(c, 'email')}>{busy === `${c.id}:email` ? 'Sending…' : 'Send test e-mail'}</button>}
              {c.phone && <button className="btn" type="button" disabled={!!busy} onClick={() => void sendTest(c, 'sms')}>{busy === `${c.id}:sms` ? 'Sending…' : 'Send test SMS'}</button>}
            </div>
            {tests[c.id] && <div className={`banner ${tests[c.id]!.ok ? 'ok' : 'error'}`} role={tests[c.id]!.ok ? 'status' : 'alert'}>{tests[c.id]!.text}</div>}
          </article>
        ),
      )}
    </section>
  );
}

function minSeverity(s: string[]): Sev {
  return SEVERITIES.find((x) => s.includes(x)) ?? 'low';
}

function ContactForm({ contact, onDone, onCancel }: { contact?: Contact; onDone(): void; onCancel(): void }) {
  const [f, setF] = useState({
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
    email_on: contact ? contact.channels.includes('email') : true,
    sms_on: contact ? contact.channels.includes('sms') : false,
    min: contact ? minSeverity(contact.severities) : ('medium' as Sev),
    quietStart: contact?.quietStart ?? '',
    quietEnd: contact?.quietEnd ?? '',
    enabled: contact?.enabled ?? true,
  });
  const [error, setError] = useState<ApiError>();
  const errs = fieldErrors(error);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.call('contacts.save', {
        ...(contact ? { id: contact.id } : {}),
        name: f.name,
        email: f.email.trim() || null,
        phone: f.phone.trim() || null,
        channels: [...(f.email_on ? (['email'] as const) : []), ...(f.sms_on ? (['sms'] as const) : [])],
        severities: SEVERITIES.slice(SEVERITIES.indexOf(f.min)),
        quietStart: f.quietStart || null,
        quietEnd: f.quietEnd || null,
        enabled: f.enabled,
      });
      onDone();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <form className="sx-contact" onSubmit={save} noValidate aria-label={contact ? `Edit ${contact.name}` : 'New contact'}>
      <h3>{contact ? `Edit ${contact.name}` : 'New contact'}</h3>
      <ErrorBanner error={error && !Object.keys(errs).length ? error : undefined} />
      <div className="form-grid">
        <TextField label="Contact name" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} error={errs.name} />
        <SelectField label="Minimum severity" value={f.min} onChange={(e) => setF({ ...f, min: e.target.value as Sev })} hint="Critical alerts always get through, even in quiet hours.">
          {SEVERITIES.map((s) => <option key={s} value={s}>{s[0]!.toUpperCase() + s.slice(1)} and up</option>)}
        </SelectField>
        <TextField label="E-mail" type="email" value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} error={errs.email} />
        <TextField label="Phone" type="tel" placeholder="+15551234567" value={f.phone} onChange={(e) => setF({ ...f, phone: e.target.value })} error={errs.phone} />
        <TextField label="Quiet from" type="time" value={f.quietStart} onChange={(e) => setF({ ...f, quietStart: e.target.value })} error={errs.quietStart} />
        <TextField label="Quiet until" type="time" value={f.quietEnd} onChange={(e) => setF({ ...f, quietEnd: e.target.value })} error={errs.quietEnd} />
      </div>
      <div className="sx-chips" role="group" aria-label="Channels">
        <label className="sx-check"><input type="checkbox" checked={f.email_on} onChange={(e) => setF({ ...f, email_on: e.target.checked })} /> Send e-mail</label>
        <label className="sx-check"><input type="checkbox" checked={f.sms_on} onChange={(e) => setF({ ...f, sms_on: e.target.checked })} /> Send SMS</label>
        <label className="sx-check"><input type="checkbox" checked={f.enabled} onChange={(e) => setF({ ...f, enabled: e.target.checked })} /> Active</label>
      </div>
      {errs.channels && <p className="sx-warn" role="alert">{errs.channels}</p>}
      <div className="row">
        <button className="btn primary" type="submit">Save contact</button>
        <button className="btn ghost" type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

interface Group { title: string; short: string; keys: string[]; test?: 'webhook' | 'desktop'; note?: string }
const GROUPS: Group[] = [
  { title: 'E-mail (SMTP)', short: 'e-mail', keys: ['smtp.host', 'smtp.port', 'smtp.secure', 'smtp.user', 'smtp.password', 'smtp.from'], note: 'Test e-mail goes to a contact: use “Send test e-mail” above.' },
  { title: 'SMS', short: 'SMS', keys: ['sms.baseUrl', 'sms.accountSid', 'sms.authToken', 'sms.from'], note: 'Test SMS goes to a contact: use “Send test SMS” above.' },
  { title: 'Chat webhook', short: 'chat', keys: ['webhook.kind', 'webhook.url', 'webhook.token', 'webhook.roomId'], test: 'webhook' },
  { title: 'Daily summary', short: 'summary', keys: ['summary.time', 'summary.weeklyDay'] },
  { title: 'When alerts go out', short: 'alert policy', keys: ['alerts.minSeverity', 'alerts.maxAgeHours', 'alerts.stormWindowMinutes'] },
];
const LABELS: Record<string, string> = {
  'smtp.host': 'SMTP host', 'smtp.port': 'SMTP port', 'smtp.secure': 'TLS from the start (port 465)', 'smtp.user': 'SMTP user', 'smtp.password': 'SMTP password', 'smtp.from': 'From address',
  'sms.baseUrl': 'SMS API base URL', 'sms.accountSid': 'Account SID', 'sms.authToken': 'Auth token', 'sms.from': 'From number',
  'webhook.kind': 'Chat service', 'webhook.url': 'Webhook URL', 'webhook.token': 'Bot token (Webex)', 'webhook.roomId': 'Room id (Webex)',
  'summary.time': 'Summary time', 'summary.weeklyDay': 'Weekly report day',
  'alerts.minSeverity': 'Alert on exceptions from severity', 'alerts.maxAgeHours': 'One alert each only within (hours)', 'alerts.stormWindowMinutes': 'Group bursts within (minutes)',
};
/** What an empty field means, and why a policy setting matters, for the keys whose default is not obvious. */
const DEFAULTS: Record<string, string | number> = ALERT_POLICY_DEFAULTS;
const HINTS: Record<string, string> = {
  'alerts.maxAgeHours': 'Exceptions on older transactions, such as an import of past reports, come as one summing-up alert.',
  'alerts.stormWindowMinutes': 'Several alerts of one kind on one register within this time go out as one message. 0 turns this off.',
};
const CHOICES: Record<string, string[]> = { 'webhook.kind': ['slack', 'teams', 'webex'], 'alerts.minSeverity': ['low', 'medium', 'high', 'critical'], 'summary.weeklyDay': ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] };

function Channels() {
  const settings = useQuery(() => api.call('settings.list', {}), []);
  const byKey = new Map((settings.data ?? []).map((s) => [s.key, s]));
  return (
    <section className="card">
      <h2>Channels</h2>
      <p className="dim">How alerts leave this station. Passwords and tokens are stored encrypted and never shown again.</p>
      <ErrorBanner error={settings.error} />
      {settings.data && GROUPS.map((g) => <ChannelGroup key={g.title} group={g} byKey={byKey} onSaved={settings.reload} />)}
    </section>
  );
}

function ChannelGroup({ group, byKey, onSaved }: { group: Group; byKey: Map<string, Setting>; onSaved(): void }) {
  const [draft, setDraft] = useState<Record<string, string | boolean>>({});
  const [error, setError] = useState<ApiError & { key?: string }>();
  const [msg, setMsg] = useState<{ text: string; ok: boolean }>();
  const value = (k: string) => (k in draft ? draft[k]! : (byKey.get(k)?.secret ? '' : (byKey.get(k)?.value as string | boolean | null) ?? ''));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setMsg(undefined);
    for (const [key, v] of Object.entries(draft)) {
      // An empty secret field means "keep the stored one".
      if (byKey.get(key)?.secret && v === '') continue;
      try {
        await api.call('settings.set', { key, value: v === '' ? null : v });
      } catch (err) {
        const ae = asError(err);
        setError(Object.assign(ae, { key }));
        onSaved();
        return;
      }
    }
    setError(undefined);
    setDraft({});
    setMsg({ text: 'Saved.', ok: true });
    onSaved();
  };
  const test = async () => {
    try {
      const t = await api.call('alerts.test', { channel: group.test! });
      setMsg({ text: outcome(t), ok: t.ok });
    } catch (err) {
      setMsg({ text: asError(err).message, ok: false });
    }
  };
  return (
    <form className="sx-group" onSubmit={save} noValidate aria-label={group.title}>
      <h3>{group.title}</h3>
      <div className="form-grid">
        {group.keys.map((k) => {
          const s = byKey.get(k);
          if (!s) return null;
          const label = LABELS[k] ?? k;
          const err = error?.key === k ? error.message : undefined;
          const set = (v: string | boolean) => { setDraft({ ...draft, [k]: v }); setMsg(undefined); };
          if (k === 'smtp.secure')
            return <label key={k} className="sx-check"><input type="checkbox" checked={value(k) === true} onChange={(e) => set(e.target.checked)} /> {label}</label>;
          if (CHOICES[k])
            return (
              <SelectField key={k} label={label} value={String(value(k))} onChange={(e) => set(e.target.value)} error={err} hint={HINTS[k]}>
                <option value="">{DEFAULTS[k] ? `Default (${DEFAULTS[k]})` : 'Not set'}</option>
                {CHOICES[k].map((c) => <option key={c} value={c}>{c}</option>)}
              </SelectField>
            );
          if (s.secret)
            return (
              <TextField key={k} label={label} type="password" autoComplete="new-password" placeholder={s.isSet ? 'Type to replace' : 'Not set'} value={String(value(k))} onChange={(e) => set(e.target.value)} error={err}
                hint={s.isSet ? 'Set. Leave empty to keep it.' : 'Not set.'} />
            );
          return (
            <TextField key={k} label={label} type={k === 'summary.time' ? 'time' : 'text'} value={String(value(k))} onChange={(e) => set(e.target.value)} error={err}
              placeholder={DEFAULTS[k] ? `${DEFAULTS[k]} (default)` : undefined} hint={HINTS[k]} inputMode={DEFAULTS[k] ? 'numeric' : undefined} />
          );
        })}
      </div>
      {group.note && <p className="dim">{group.note}</p>}
      {error && !error.key && <ErrorBanner error={error} />}
      {msg && <div className={`banner ${msg.ok ? 'ok' : 'error'}`} role={msg.ok ? 'status' : 'alert'}>{msg.text}</div>}
      <div className="row">
        <button className="btn primary" type="submit" disabled={!Object.keys(draft).length}>Save {group.short} settings</button>
        {group.test && <button className="btn" type="button" onClick={() => void test()}>Send test</button>}
      </div>
    </form>
  );
}

function DeadLetters() {
  const failed = useQuery(() => api.call('alerts.list', { status: 'failed', limit: 100 }), [], ['alert.updated']);
  const [busy, setBusy] = useState<number>();
  const [error, setError] = useState<ApiError>();
  const retry = async (id: number) => {
    setBusy(id);
    try {
      await api.call('alerts.retry', { id });
      setError(undefined);
      failed.reload();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <section className="card">
      <h2>Failed messages</h2>
      <p className="dim">Alerts that could not be delivered after every retry. Fix the channel above, then retry.</p>
      <ErrorBanner error={failed.error ?? error} />
      {failed.data && !failed.data.length && <p className="dim">Nothing failed. Every alert went out.</p>}
      {!!failed.data?.length && (
        <table className="list sx-dead">
          <thead><tr><th>Alert</th><th className="hide-narrow">Why it failed</th><th /></tr></thead>
          <tbody>
            {failed.data.map((a) => {
              const dead = a.deliveries.filter((d) => d.state === 'dead');
              return (
                <tr key={a.id}>
                  <td>
                    <strong>{a.title}</strong>
                    <div className="dim">{new Date(a.createdAt).toLocaleString()} · {dead.map((d) => d.channel).join(', ')}</div>
                  </td>
                  <td className="hide-narrow">{dead.map((d) => d.lastError).filter(Boolean).join('; ') || '—'}</td>
                  <td><button className="btn" type="button" disabled={busy === a.id} onClick={() => void retry(a.id)}>{busy === a.id ? 'Retrying…' : 'Retry'}</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
