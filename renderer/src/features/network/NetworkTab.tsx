import { useMemo, useState } from 'react';
import { api } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { ErrorBanner, SelectField, TextField } from '../../ui/kit';
import { NetworkEmpty } from '../empty/EmptyTabs';
import { CONNECTION_WORD, plural, useSyncStatus, when } from './sync';
import { offenderEntries, TAGS, TIMEFRAMES, type OffenderEntry, type Tag } from './entries';
import './network.css';

/** Network tab: the region's network offenders and return alerts, as the last pull left them. */
export function NetworkTab() {
  const { status } = useSyncStatus();
  const net = useQuery(() => api.call('sync.network', {}), [], ['sync.networkAlert', 'sync.statusChanged']);
  const [query, setQuery] = useState('');
  const [frame, setFrame] = useState<string>('all');
  const [tag, setTag] = useState<Tag | 'all'>('all');
  const all = useMemo(() => (net.data ? offenderEntries(net.data) : []), [net.data]);
  const since = TIMEFRAMES.find((t) => t.id === frame)?.ms;
  const now = Date.now();
  const shown = all.filter(
    (e) =>
      (!query.trim() || e.offenderId.toLowerCase().includes(query.trim().toLowerCase())) &&
      (since === undefined || e.lastSeen >= now - since) &&
      (tag === 'all' || e.tags.includes(tag)),
  );
  if (!status) return <ErrorBanner error={net.error} />;
  // Honest empty states: unpaired stations have nothing, paired ones may simply have heard nothing yet.
  if (!status.paired && !all.length) return <NetworkEmpty />;
  return (
    <div className="nw-page">
      <div className="nw-head">
        <span className={`badge nw-conn nw-${status.connection}`}>{CONNECTION_WORD[status.connection]}</span>
        <span className="dim">Region feed last pulled {when(status.lastPullAt)}</span>
      </div>
      <ErrorBanner error={net.error} />
      {!all.length ? (
        <div className="empty">
          <h2>No network offenders in your region</h2>
          <p className="dim">When Penny Ops confirms someone at stores in your region, they appear here with return alerts. Nothing has arrived yet.</p>
        </div>
      ) : (
        <>
          <div className="nw-filters" role="search">
            <TextField label="Offender id" placeholder="Search by id" value={query} onChange={(e) => setQuery(e.target.value)} />
            <SelectField label="Last seen" value={frame} onChange={(e) => setFrame(e.target.value)}>
              {TIMEFRAMES.map((t) => <option key={t.id} value={t.id}>{t.label}</option>)}
            </SelectField>
            <SelectField label="Tag" value={tag} onChange={(e) => setTag(e.target.value as Tag | 'all')}>
              <option value="all">All tags</option>
              {TAGS.map((t) => <option key={t.id} value={t.id}>{t.label}</option>)}
            </SelectField>
          </div>
          <p className="dim" aria-live="polite">{shown.length === all.length ? plural(all.length, 'offender') : `${shown.length} of ${plural(all.length, 'offender')}`}</p>
          {!shown.length && <p>No offender matches these filters.</p>}
          <div className="nw-list">{shown.map((e) => <Offender key={e.offenderId} e={e} />)}</div>
        </>
      )}
    </div>
  );
}

function Offender({ e }: { e: OffenderEntry }) {
  return (
    <article className={`card nw-entry nw-${e.level}`} aria-label={`Offender ${e.offenderId}`}>
      <header className="nw-entry-head">
        <h3 className="nw-id">{e.offenderId}</h3>
        <span className="row nw-tags">{e.tags.map((t) => <span key={t} className="badge">{TAGS.find((x) => x.id === t)?.label ?? t}</span>)}</span>
      </header>
      <dl className="sx-facts">
        <dt>Last seen</dt><dd>{when(e.lastSeen)}</dd>
        <dt>Incidents</dt><dd>{e.summary}</dd>
        {e.expiresAt && <><dt>Watch until</dt><dd>{when(e.expiresAt)}</dd></>}
      </dl>
      <p className="nw-action"><strong>What to do: </strong>{e.action}</p>
      {e.alerts.length > 0 && (
        <details className="nw-alerts">
          <summary>{plural(e.alerts.length, 'alert')}</summary>
          <ul>
            {e.alerts.map((a) => (
              <li key={a.seq}>
                <span className="dim">{when(a.createdAt)}</span> {a.message}
                {a.alertId !== null && <> · <a href="#/monitor">In Monitor</a></>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}
