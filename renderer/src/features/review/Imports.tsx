import { useEffect, useRef, useState } from 'react';
import type { ImportReport } from '../../../../services/contract/index';
import { api, ApiError, uploadFile } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { go } from '../../router';
import { can, useSession } from '../../session';
import { IconUpload } from '../../ui/icons';
import { ErrorBanner } from '../../ui/kit';
import { TYPE_LABEL, fmtDateTime, money, newJobId, useStoreZone } from './format';

interface Job {
  jobId: string;
  file: string;
  phase: 'uploading' | 'importing' | 'done' | 'failed';
  sent: number;
  size: number;
  rows: number;
  bytes: number;
  totalBytes: number;
  report?: ImportReport;
  error?: string;
}

/**
 * POS import by drag-and-drop anywhere on the window or through the file picker: upload, then
 * pos.import with a job id so import.progress events drive the bar, then the import report.
 */
/** Drop target for POS reports; `button` adds the "Import report" picker (Review shows it, other tabs only take drops). */
export function ImportDrop({ button = true }: { button?: boolean } = {}) {
  const { user } = useSession();
  const [jobs, setJobs] = useState<Job[]>([]);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const manager = can(user, 'manager');

  const patch = (jobId: string, p: Partial<Job>) => setJobs((js) => js.map((j) => (j.jobId === jobId ? { ...j, ...p } : j)));

  useEffect(
    () =>
      api.on('import.progress', (payload) => {
        const p = payload as { jobId: string; rows: number; bytes: number; totalBytes: number };
        setJobs((js) => js.map((j) => (j.jobId === p.jobId && j.phase === 'importing' ? { ...j, rows: p.rows, bytes: p.bytes, totalBytes: p.totalBytes } : j)));
      }),
    [],
  );

  const importFiles = async (files: File[]) => {
    if (!manager || !files.length) return;
    const fresh = files.map((f) => ({ f, job: { jobId: newJobId(), file: f.name, phase: 'uploading' as const, sent: 0, size: f.size, rows: 0, bytes: 0, totalBytes: f.size } }));
    setJobs((js) => [...fresh.map((x) => x.job), ...js].slice(0, 6));
    for (const { f, job } of fresh) {
      try {
        const path = await uploadFile(f, (sent, size) => patch(job.jobId, { sent, size }));
        patch(job.jobId, { phase: 'importing', sent: f.size });
        const report = await api.call('pos.import', { path, jobId: job.jobId });
        patch(job.jobId, { phase: 'done', report, bytes: f.size, totalBytes: f.size });
      } catch (e) {
        patch(job.jobId, { phase: 'failed', error: e instanceof ApiError || e instanceof Error ? e.message : String(e) });
      }
    }
  };

  // Files dropped anywhere on the window while this component is mounted.
  useEffect(() => {
    if (!manager) return;
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (!depth) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      void importFiles([...e.dataTransfer.files]);
    };
    addEventListener('dragover', over);
    addEventListener('dragenter', enter);
    addEventListener('dragleave', leave);
    addEventListener('drop', drop);
    return () => {
      removeEventListener('dragover', over);
      removeEventListener('dragenter', enter);
      removeEventListener('dragleave', leave);
      removeEventListener('drop', drop);
    };
  }, [manager]);

  return (
    <>
      {manager && button && (
        <>
          <button className="btn" onClick={() => picker.current?.click()}>
            <IconUpload /> Import report
          </button>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            aria-label="POS report file"
            accept=".csv,.xml,.xlsx,.xls,.txt"
            onChange={(e) => {
              void importFiles([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
        </>
      )}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div>
            <IconUpload />
            <strong>Drop POS reports to import</strong>
            <span>Modisoft, Gilbarco Passport/NAXML, CSV or Excel</span>
          </div>
        </div>
      )}
      {jobs.length > 0 && (
        <div className="import-jobs" aria-live="polite">
          {jobs.map((j) => (
            <JobCard key={j.jobId} job={j} onClose={() => setJobs((js) => js.filter((x) => x.jobId !== j.jobId))} />
          ))}
        </div>
      )}
    </>
  );
}

function JobCard({ job, onClose }: { job: Job; onClose(): void }) {
  const pct =
    job.phase === 'uploading' ? (job.size ? job.sent / job.size : 0) : job.phase === 'importing' ? (job.totalBytes ? job.bytes / job.totalBytes : 0) : 1;
  return (
    <section className="card import-job" aria-label={`Import of ${job.file}`}>
      <div className="row">
        <strong className="grow">{job.file}</strong>
        {(job.phase === 'done' || job.phase === 'failed') && (
          <button className="btn ghost" onClick={onClose} aria-label={`Close the report for ${job.file}`}>Close</button>
        )}
      </div>
      {(job.phase === 'uploading' || job.phase === 'importing') && (
        <>
          <progress max={1} value={pct} aria-label={`Import progress of ${job.file}`} />
          <p className="dim" role="status">
            {job.phase === 'uploading' ? `Uploading… ${Math.round(pct * 100)}%` : `Importing… ${job.rows.toLocaleString()} rows read (${Math.round(pct * 100)}%)`}
          </p>
        </>
      )}
      {job.phase === 'failed' && <ErrorBanner error={`Import failed: ${job.error}`} />}
      {job.report && <ReportView report={job.report} onOpenList={onClose} />}
    </section>
  );
}

/** The import report: counts, duplicates, rejected rows with row/field/reason, exceptions raised. */
export function ReportView({ report: r, onOpenList }: { report: ImportReport; onOpenList?(): void }) {
  return (
    <div className="import-report" aria-label="Import report">
      {r.status === 'duplicate' ? (
        <div className="banner ok" role="status">
          Already imported{r.duplicateOf ? ` (import #${r.duplicateOf})` : ''}: nothing was added.{' '}
          {r.duplicateOf && <a href={`#/review/imports/${r.duplicateOf}`}>Open that report</a>}
        </div>
      ) : (
        <div className="banner ok" role="status">Imported {r.transactions.toLocaleString()} transactions.</div>
      )}
      <dl className="stats">
        <div><dt>Rows read</dt><dd>{r.rows.toLocaleString()}</dd></div>
        <div><dt>New transactions</dt><dd>{r.transactions.toLocaleString()}</dd></div>
        <div><dt>Duplicates</dt><dd>{r.duplicates.toLocaleString()}</dd></div>
        <div><dt>Rejected rows</dt><dd className={r.rejectedCount ? 'bad' : ''}>{r.rejectedCount.toLocaleString()}</dd></div>
        <div><dt>Exceptions raised</dt><dd className={r.exceptions ? 'warn' : ''}>{r.exceptions.toLocaleString()}</dd></div>
        <div><dt>Net total</dt><dd>{money(r.totalCents)}</dd></div>
      </dl>
      {Object.keys(r.byType).length > 0 && (
        <p className="dim">
          {Object.entries(r.byType)
            .sort((a, b) => b[1] - a[1])
            .map(([t, n]) => `${TYPE_LABEL(t)} ${n}`)
            .join(' · ')}{' '}
          · {r.format}
        </p>
      )}
      {r.rejected.length > 0 && (
        <details open={r.rejected.length <= 20}>
          <summary>Rejected rows ({r.rejectedCount})</summary>
          <table className="list">
            <thead><tr><th>Row</th><th>Field</th><th>Reason</th></tr></thead>
            <tbody>
              {r.rejected.map((x, i) => (
                <tr key={i}><td>{String(x.row)}</td><td>{x.field}</td><td>{x.message}</td></tr>
              ))}
            </tbody>
          </table>
          {r.rejectedCount > r.rejected.length && <p className="dim">Showing the first {r.rejected.length}.</p>}
        </details>
      )}
      {r.exceptions > 0 && (
        <a
          className="btn primary"
          href="#/review"
          onClick={() => {
            onOpenList?.();
            go('review');
          }}
        >Review {r.exceptions} exception{r.exceptions > 1 ? 's' : ''} →</a>
      )}
    </div>
  );
}

/** Past imports and one import's report (#/review/imports[/ID]). */
export function Imports({ id }: { id?: number }) {
  const zone = useStoreZone();
  const list = useQuery(() => api.call('imports.list', { limit: 100 }), [], ['import.finished']);
  const one = useQuery(() => (id ? api.call('imports.get', { id }) : Promise.resolve(undefined)), [id]);
  return (
    <div className="imports">
      <div className="row">
        <a className="btn ghost" href="#/review">← Exceptions</a>
        <h2 className="grow" style={{ margin: 0 }}>{id ? `Import #${id}` : 'Past imports'}</h2>
        <ImportDrop />
      </div>
      {id ? (
        one.error ? <ErrorBanner error={one.error} /> : one.data ? <section className="card"><h3>{one.data.file}</h3><ReportView report={one.data} /></section> : <p className="dim">Loading…</p>
      ) : list.error ? (
        <ErrorBanner error={list.error} />
      ) : !list.data?.length ? (
        <p className="dim">No imports yet. Drop a POS report on this window or use Import report.</p>
      ) : (
        <table className="list">
          <thead><tr><th>File</th><th className="hide-narrow">When</th><th>Transactions</th><th className="hide-narrow">Rejected</th><th>Exceptions</th></tr></thead>
          <tbody>
            {list.data.map((i) => (
              <tr key={i.importId}>
                <td><a href={`#/review/imports/${i.importId}`}>{i.file}</a></td>
                <td className="hide-narrow">{fmtDateTime(i.finishedAt, zone)}</td>
                <td>{i.transactions}</td>
                <td className="hide-narrow">{i.rejectedCount}</td>
                <td>{i.exceptions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
