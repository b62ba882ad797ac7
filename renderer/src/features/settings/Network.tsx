import { useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import { ErrorBanner, fieldErrors, TextField } from '../../ui/kit';
import { asError, CONNECTION_WORD, describeRun, plural, progressText, useSyncNow, useSyncStatus, when, type SyncStatus } from '../network/sync';
import '../network/network.css';
import './settings-sections.css';

/** Settings → Network: pair with a Penny Network, see the connection, sync now, unpair. */
export function Network() {
  const { status, error, reload } = useSyncStatus();
  return (
    <div className="sx-stack">
      <ErrorBanner error={error} />
      {status && <Connection status={status} onChange={reload} />}
      {status && (!status.paired || status.connection === 'revoked') && <PairForm revoked={status.paired} onPaired={reload} />}
    </div>
  );
}

function Connection({ status: s, onChange }: { status: SyncStatus; onChange(): void }) {
  const sync = useSyncNow(onChange);
  const dialog = useRef<HTMLDialogElement>(null);
  const [unpairError, setUnpairError] = useState<ApiError>();
  const unpair = async () => {
    dialog.current?.close();
    try {
      await api.call('sync.unpair', {});
      setUnpairError(undefined);
    } catch (e) {
      setUnpairError(asError(e));
    }
    onChange();
  };
  const last = Math.max(s.lastPushAt ?? 0, s.lastPullAt ?? 0) || null;
  const counts = Object.entries(s.counts).filter(([, n]) => n > 0);
  return (
    <section className="card">
      <h2>Penny Network</h2>
      <div className="sx-status" data-testid="sync-connection">
        <span className={`badge nw-conn nw-${s.connection}`}>{CONNECTION_WORD[s.connection]}</span>
        <span>{s.message}</span>
      </div>
      {s.paired && (
        <>
          <dl className="sx-facts" style={{ margin: '14px 0' }}>
            <dt>Network</dt><dd className="sx-url">{s.url}</dd>
            <dt>Last sync</dt><dd data-testid="sync-last">{when(last)}</dd>
            <dt>Waiting to send</dt><dd data-testid="sync-pending">{plural(s.pending, 'confirmed case')}</dd>
            {counts.length > 0 && <><dt>Outbox</dt><dd>{counts.map(([k, n]) => `${n} ${k}`).join(' · ')}</dd></>}
            {s.lastError && s.connection !== 'online' && <><dt>Last problem</dt><dd className="sx-warn">{s.lastError}</dd></>}
          </dl>
          {sync.busy && (
            <div className="sx-progress" role="status">
              <progress max={sync.progress?.total || undefined} value={sync.progress && sync.progress.phase !== 'pull' ? sync.progress.done : undefined} />
              <span>{progressText(sync.progress)}</span>
            </div>
          )}
          {!sync.busy && sync.result && (
            <div className={`banner ${sync.result.errors.length ? 'error' : 'ok'}`} role="status">
              {describeRun(sync.result)}
              {sync.result.errors.slice(0, 3).map((e) => <div key={e}>{e}</div>)}
            </div>
          )}
          <ErrorBanner error={sync.error ?? unpairError} />
          <div className="row">
            <button className="btn primary" type="button" disabled={sync.busy || s.connection === 'revoked'} onClick={() => void sync.run()}>
              {sync.busy ? 'Syncing…' : 'Sync now'}
            </button>
            <button className="btn danger" type="button" disabled={sync.busy} onClick={() => dialog.current?.showModal()}>Unpair</button>
          </div>
        </>
      )}
      <dialog ref={dialog} className="sx-dialog" aria-labelledby="nw-unpair-title">
        <h2 id="nw-unpair-title">Unpair this station?</h2>
        <p>The station forgets its network key. Confirmed cases stay here and are sent after you pair again.</p>
        <div className="row">
          <button className="btn danger" type="button" onClick={() => void unpair()}>Unpair</button>
          <button className="btn" type="button" onClick={() => dialog.current?.close()}>Cancel</button>
        </div>
      </dialog>
    </section>
  );
}

function PairForm({ revoked, onPaired }: { revoked: boolean; onPaired(): void }) {
  const [url, setUrl] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.call('sync.pair', { url: url.trim(), code: code.trim() });
      setError(undefined);
      setCode('');
      onPaired();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };
  const fe = fieldErrors(error);
  return (
    <section className="card">
      <h2>{revoked ? 'Pair again' : 'Pair with a Penny Network'}</h2>
      <p className="dim">Penny Ops gives you the network address and a one-time pairing code. The station keeps its network key encrypted.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="form-grid">
          <TextField label="Network URL" type="url" inputMode="url" autoComplete="off" placeholder="https://network.example.com" value={url} onChange={(e) => setUrl(e.target.value)} error={fe.url} required />
          <TextField label="Pairing code" autoComplete="one-time-code" autoCapitalize="characters" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} error={fe.code} required />
        </div>
        {error && !fe.url && !fe.code && <ErrorBanner error={error} />}
        <button className="btn primary" type="submit" disabled={busy || !url.trim() || !code.trim()}>{busy ? 'Pairing…' : 'Pair station'}</button>
      </form>
    </section>
  );
}
