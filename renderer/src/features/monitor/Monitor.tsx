import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { can, useSession } from '../../session';
import { EmptyState, ErrorBanner } from '../../ui/kit';
import { IconCamera } from '../../ui/icons';
import { buildItems, incidentSummary, type MonitorItem } from './items';
import './monitor.css';

const LIVE_EVENTS = ['alert.raised', 'alert.updated', 'faces.matched', 'faces.matchReviewed', 'camera.offline', 'camera.healthChanged', 'exception.flagged', 'exception.updated', 'clip.ready'];

/** Commands that may be missing or off (faces disabled, no cameras domain) must not blank the queue. */
const soft = <T,>(p: Promise<T>, empty: T) => p.catch(() => empty);

async function loadQueue() {
  const [alerts, exceptions, clips, matches, health, cameras, store] = await Promise.all([
    api.call('alerts.list', { limit: 100 }),
    api.call('exceptions.list', { limit: 200 }),
    soft(api.call('clips.list', { limit: 500 }), []),
    soft(api.call('faces.matches', { limit: 50 }), []),
    soft(api.call('cameras.health', {}), []),
    soft(api.call('cameras.list', {}), []),
    soft(api.call('store.get', {}), null),
  ]);
  const cameraNames = new Map(cameras.map((c) => [c.id, c.name]));
  return { items: buildItems({ alerts, exceptions: exceptions.items, clips, matches, health, cameraNames }), tz: store?.timezone };
}

function useMediaUrl(path: string | null | undefined) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!path) return;
    let live = true;
    api.call('media.url', { path }).then((r) => live && setUrl(r.url), () => undefined);
    return () => {
      live = false;
    };
  }, [path]);
  return url;
}

function Thumb({ item }: { item: MonitorItem }) {
  const thumb = useMediaUrl(item.clip?.thumbPath);
  const preview = useMediaUrl(item.clip?.previewPath);
  if (item.match?.probeThumbnail) return <img className="mon-thumb" alt="Face seen by the camera" src={`data:image/jpeg;base64,${item.match.probeThumbnail}`} />;
  if (preview) return <video className="mon-thumb" src={preview} poster={thumb} autoPlay muted loop playsInline aria-label="4-second preview of the clip" />;
  if (thumb) return <img className="mon-thumb" alt="Clip thumbnail" src={thumb} />;
  return (
    <div className="mon-thumb none" aria-hidden>
      <IconCamera />
      <span>{item.kind === 'camera' ? 'No picture' : 'No clip yet'}</span>
    </div>
  );
}

const STATUS_WORD: Record<string, string> = {
  open: 'New',
  investigating: 'Watching',
  escalated: 'Intervened',
  confirmed: 'Confirmed',
  dismissed: 'Dismissed',
  approved: 'Approved',
  not_this_person: 'Not this person',
  offline: 'Offline',
};

function PoliceDialog({ text, onClose }: { text: string; onClose(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="mon-dialog" role="dialog" aria-modal="true" aria-label="Incident summary for the police">
      <div className="card">
        <h2>Call the police</h2>
        <p className="dim">In an emergency dial 911 first. Read or hand over this summary:</p>
        <textarea readOnly value={text} rows={10} aria-label="Incident summary" />
        <div className="row">
          <button className="btn primary" type="button" onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))}>{copied ? 'Copied' : 'Copy'}</button>
          <button className="btn" type="button" onClick={() => window.print()}>Print</button>
          <button className="btn ghost" type="button" onClick={onClose}>Close</button>
        </div>
      </div>
    </div>
  );
}

function Card({ item, tz, canAct, onChanged, onPolice }: { item: MonitorItem; tz?: string; canAct: boolean; onChanged(): void; onPolice(item: MonitorItem): void }) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const act = async (label: string, run: () => Promise<unknown>) => {
    setBusy(label);
    setError(undefined);
    try {
      await run();
      onChanged();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(undefined);
    }
  };
  const exc = item.exception;
  const setStatus = (status: 'investigating' | 'escalated' | 'confirmed' | 'dismissed', note: string) => exc && act(note, () => api.call('exceptions.setStatus', { id: exc.id, status, note }));
  const when = new Date(item.at).toLocaleString(undefined, { timeZone: tz, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  return (
    <article className={`mon-card sev-${item.severity}`} data-kind={item.kind} aria-label={item.title}>
      <Thumb item={item} />
      <div className="mon-body">
        <div className="mon-head">
          <span className={`badge sev-${item.severity}`}>{item.severity}</span>
          <span className="mon-status">{STATUS_WORD[item.status] ?? item.status}</span>
          {item.confidence != null && <span className="mon-conf" title="Composite confidence from the rules that agree, severity and evidence">{Math.round(item.confidence * 100)}% confidence</span>}
        </div>
        <h3>{item.title}</h3>
        <p className="dim mon-meta">
          <time dateTime={new Date(item.at).toISOString()}>{when}</time>
          {item.register && <> · Register {item.register}</>}
          {item.camera && <> · {item.camera}</>}
        </p>
        {item.detail && <p className="mon-detail">{item.detail}</p>}
        <ErrorBanner error={error} />
        {canAct && item.kind === 'exception' && (
          <div className="mon-actions">
            <button className="btn" disabled={!!busy} onClick={() => void setStatus('investigating', 'Watching on Monitor')}>Monitor</button>
            <button className="btn" disabled={!!busy} onClick={() => void setStatus('escalated', 'Staff intervened')}>Intervene</button>
            <button className="btn" disabled title="Needs Penny Network pairing (Settings → Network)" aria-label="Request payment — needs Penny Network pairing">Request payment</button>
            <button className="btn danger" disabled={!!busy} onClick={() => onPolice(item)}>Call police</button>
            <button className="btn primary" disabled={!!busy} onClick={() => void setStatus('confirmed', 'Confirmed on Monitor')}>Confirm</button>
            <button className="btn ghost" disabled={!!busy} onClick={() => void setStatus('dismissed', 'Dismissed on Monitor')}>Dismiss</button>
          </div>
        )}
        {canAct && item.kind === 'face' && item.match && (
          <div className="mon-actions">
            <button className="btn danger" disabled={!!busy} onClick={() => onPolice(item)}>Call police</button>
            <button className="btn primary" disabled={!!busy} onClick={() => void act('confirm', () => api.call('faces.feedback', { matchId: item.match!.id, verdict: 'confirmed' }))}>Confirm</button>
            <button className="btn ghost" disabled={!!busy} onClick={() => void act('dismiss', () => api.call('faces.feedback', { matchId: item.match!.id, verdict: 'not_this_person' }))}>Not this person</button>
          </div>
        )}
        {item.kind === 'camera' && <a className="btn" href="#/settings/cameras">Check camera</a>}
        {item.kind === 'exception' && exc && <a className="mon-link" href={`#/review/${exc.id}`}>Open in Review</a>}
      </div>
    </article>
  );
}

function NotifyButton() {
  const supported = typeof Notification !== 'undefined' && !window.penny;
  const [perm, setPerm] = useState(supported ? Notification.permission : 'denied');
  if (!supported) return null;
  if (perm === 'granted') return <span className="dim mon-notify">Desktop notifications on</span>;
  if (perm === 'denied') return <span className="dim mon-notify">Notifications are blocked in this browser's site settings</span>;
  return <button className="btn" type="button" onClick={() => void Notification.requestPermission().then(setPerm)}>Turn on notifications</button>;
}

/** Monitor: exceptions, face matches and camera problems as they happen, newest first, with one-tap actions. */
export function Monitor() {
  const { user, storeName } = useSession();
  const { data, error, reload } = useQuery(loadQueue, [], LIVE_EVENTS);
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const [police, setPolice] = useState<MonitorItem>();

  // Browser mode: a raised alert becomes a system notification when the user allowed it.
  useEffect(
    () =>
      api.on('alert.raised', (p) => {
        const a = p as { title: string; body: string; id: number };
        if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && !window.penny) new Notification(a.title, { body: a.body, tag: `penny-alert-${a.id}` });
      }),
    [],
  );
  const done = useCallback((s: string) => ['confirmed', 'dismissed', 'approved', 'not_this_person'].includes(s), []);
  const items = useMemo(() => (data?.items ?? []).filter((i) => filter === 'all' || !done(i.status)), [data, filter, done]);

  if (error) return <ErrorBanner error={error} />;
  return (
    <div className="monitor">
      <div className="mon-toolbar">
        <div className="seg" role="group" aria-label="Show">
          <button className={`btn ${filter === 'open' ? 'primary' : 'ghost'}`} onClick={() => setFilter('open')} aria-pressed={filter === 'open'}>Needs action</button>
          <button className={`btn ${filter === 'all' ? 'primary' : 'ghost'}`} onClick={() => setFilter('all')} aria-pressed={filter === 'all'}>All</button>
        </div>
        <span className="dim" aria-live="polite">{data ? `${items.length} item${items.length === 1 ? '' : 's'} · live` : 'Loading…'}</span>
        <span className="grow" />
        <NotifyButton />
      </div>
      {data && !data.items.length && (
        <EmptyState icon={<IconCamera />} title="Nothing to watch yet">
          <p className="dim">Live alerts land here: flagged transactions, return-offender matches and camera problems, newest first.</p>
          <p className="dim">They start once POS reports are imported and cameras are added in Settings.</p>
        </EmptyState>
      )}
      {data && !!data.items.length && !items.length && <p className="dim">Everything has been handled. Choose “All” to see the history.</p>}
      <div className="mon-list">
        {items.map((i) => (
          <Card key={i.key} item={i} tz={data?.tz} canAct={can(user, 'manager')} onChanged={reload} onPolice={setPolice} />
        ))}
      </div>
      {police && <PoliceDialog text={incidentSummary(police, storeName, data?.tz)} onClose={() => setPolice(undefined)} />}
    </div>
  );
}
