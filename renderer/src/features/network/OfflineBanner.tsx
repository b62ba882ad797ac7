import { can, useSession } from '../../session';
import { plural, progressText, useSyncNow, useSyncStatus } from './sync';
import './network.css';

/** A slim bar over every tab while the station cannot reach its network: says how many cases wait. */
export function OfflineBanner() {
  const { user } = useSession();
  const { status, reload } = useSyncStatus();
  const sync = useSyncNow(reload);
  if (!status || (status.connection !== 'offline' && status.connection !== 'revoked')) return null;
  const waiting = status.pending ? `${plural(status.pending, 'confirmed case')} waiting to send.` : 'Nothing is waiting to send.';
  return (
    <div className={`nw-offline-bar nw-${status.connection}`} role="status" data-testid="offline-banner">
      <span>{status.connection === 'revoked' ? 'Network refused this station — pair it again in Settings → Network.' : 'Offline from Penny Network.'} {waiting}</span>
      {sync.busy && <><progress max={sync.progress?.total || undefined} value={sync.progress && sync.progress.phase !== 'pull' ? sync.progress.done : undefined} /><span className="dim">{progressText(sync.progress)}</span></>}
      {!sync.busy && sync.error && <span className="dim">{sync.error.message}</span>}
      {status.connection === 'offline' && can(user, 'manager') && (
        <button className="btn" type="button" disabled={sync.busy} onClick={() => void sync.run()}>{sync.busy ? 'Syncing…' : 'Sync now'}</button>
      )}
    </div>
  );
}
