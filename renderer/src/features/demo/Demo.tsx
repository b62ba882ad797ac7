import { useEffect, useState } from 'react';
import type { OutputOf } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';
import { ErrorBanner } from '../../ui/kit';
import './demo.css';

type Status = OutputOf<'demo.status'>;

/** After a swap the old session means nothing to the new core: sign in to it and start over. */
async function signInAndReload(creds: { username: string; password: string } | null) {
  api.setSession(undefined);
  if (creds) {
    const s = await api.call('auth.login', creds);
    api.setSession(s.token);
  }
  location.hash = '#/monitor';
  location.reload();
}

/** "Load demo store": builds it (with progress) the first time, switches to it and signs in as the demo admin. */
export function DemoLoader({ compact = false }: { compact?: boolean }) {
  const [status, setStatus] = useState<Status>();
  const [progress, setProgress] = useState<{ step: string; done: number; total: number }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string>();
  useEffect(() => {
    api.call('demo.status', {}).then(setStatus, () => undefined);
    return api.on('demo.progress', (p) => setProgress(p as typeof progress));
  }, []);
  const enter = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const s = await api.call('demo.enter', {});
      await signInAndReload(s.credentials);
    } catch (e) {
      setError(e instanceof ApiError ? e : String(e));
      setBusy(false);
    }
  };
  if (status?.active) return null;
  const pct = progress ? Math.round((progress.done / Math.max(1, progress.total)) * 100) : 0;
  return (
    <div className={`demo-loader${compact ? ' compact' : ''}`}>
      {!compact && <p className="dim">Just looking? Open a demo store with a generated day of sales, two cameras and their clips. Your own store stays untouched.</p>}
      <ErrorBanner error={error} />
      {status && !status.switchable && <p className="dim">The demo store opens in browser mode (penny serve). From a terminal: <code>penny demo load</code>.</p>}
      <button className="btn" type="button" onClick={() => void enter()} disabled={busy || (status && !status.switchable)}>
        {busy ? (progress && progress.done < progress.total ? `Building demo… ${progress.step}` : 'Opening demo…') : status?.available ? 'Open demo store' : 'Load demo store'}
      </button>
      {busy && (
        <div className="demo-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Building the demo store">
          <span style={{ width: `${Math.max(5, pct)}%` }} />
        </div>
      )}
      {status?.credentials && <p className="dim demo-creds">Demo sign-in: <b>{status.credentials.username}</b> / <b>{status.credentials.password}</b></p>}
    </div>
  );
}

/** Shown on every tab while the demo store is served: what this is and the one click back. */
export function DemoBanner() {
  const [status, setStatus] = useState<Status>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api.call('demo.status', {}).then(setStatus, () => undefined);
  }, []);
  if (!status?.active) return null;
  const exit = async () => {
    try {
      await api.call('demo.exit', {});
      await signInAndReload(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="demo-banner" role="status">
      <span>
        <b>Demo store.</b> Generated data, no real people.
        {status.credentials && <> Sign-in: <b>{status.credentials.username}</b> / <b>{status.credentials.password}</b>.</>}
      </span>
      <button className="btn primary" type="button" onClick={() => void exit()}>Back to my store</button>
      {error && <span className="error">{error}</span>}
    </div>
  );
}
