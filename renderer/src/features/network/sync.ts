import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../../api/client';
import type { OutputOf } from '../../../../services/contract/index';

export type SyncStatus = OutputOf<'sync.status'>;
export type SyncRunResult = OutputOf<'sync.run'>;
export interface SyncProgress { phase: 'push' | 'upload' | 'pull'; done: number; total: number; caseId?: number }

const POLL_MS = 30_000;
export const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) }));

/** The station's sync status: loaded once, then every 30 s and whenever the core says it changed. */
export function useSyncStatus() {
  const [status, setStatus] = useState<SyncStatus>();
  const [error, setError] = useState<ApiError>();
  const reload = useCallback(() => {
    api
      .call('sync.status', {})
      .then((s) => {
        setStatus(s);
        setError(undefined);
      })
      .catch((e: unknown) => setError(asError(e)));
  }, []);
  useEffect(() => {
    reload();
    const timer = setInterval(reload, POLL_MS);
    const off = api.on('sync.statusChanged', reload);
    return () => {
      clearInterval(timer);
      off();
    };
  }, [reload]);
  return { status, error, reload };
}

/** "Sync now": runs sync.run and follows its sync.progress events so the button can show how far it got. */
export function useSyncNow(onDone?: () => void) {
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<SyncProgress>();
  const [result, setResult] = useState<SyncRunResult>();
  const [error, setError] = useState<ApiError>();
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => api.on('sync.progress', (p) => setProgress(p as SyncProgress)), []);
  const run = useCallback(async () => {
    setBusy(true);
    setProgress(undefined);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await api.call('sync.run', {}));
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
      done.current?.();
    }
  }, []);
  return { run, busy, progress: busy ? progress : undefined, result, error };
}

/** One line saying what a finished run did, in words a manager reads at a glance. */
export function describeRun(r: SyncRunResult): string {
  const parts: string[] = [];
  if (r.connection === 'offline') parts.push('Could not reach the network');
  else if (r.connection === 'revoked') parts.push('The network refused this station');
  parts.push(r.pushed ? `${plural(r.pushed, 'case')} sent` : 'no new cases sent');
  const got = r.pulled.alerts + r.pulled.decisions + r.pulled.watchlistChanges;
  if (got) parts.push(`${plural(r.pulled.alerts, 'return alert')}, ${plural(r.pulled.decisions, 'Ops decision')}, ${plural(r.pulled.watchlistChanges, 'watchlist change')} received`);
  if (r.pending) parts.push(`${plural(r.pending, 'case')} still waiting`);
  const line = parts.join('; ') + '.';
  return line.charAt(0).toUpperCase() + line.slice(1);
}

export function progressText(p: SyncProgress | undefined): string {
  if (!p) return 'Starting…';
  if (p.phase === 'upload') return `Uploading case ${p.caseId ?? ''} evidence: ${kb(p.done)} of ${kb(p.total)}`;
  if (p.phase === 'push') return `Sent ${p.done} of ${plural(p.total, 'case')}`;
  return 'Fetching alerts, decisions and the ledger…';
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const kb = (b: number) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(b / 1024))} KB`);

export const when = (ms: number | null | undefined) => (ms ? new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : 'never');

export const CONNECTION_WORD: Record<SyncStatus['connection'], string> = {
  unpaired: 'Not paired',
  unknown: 'Paired',
  online: 'Online',
  offline: 'Offline',
  revoked: 'Revoked',
};
