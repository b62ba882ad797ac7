import { useState, type FormEvent } from 'react';
import type { ExceptionSummary } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { go } from '../../router';
import { can, useSession } from '../../session';
import { ErrorBanner } from '../../ui/kit';
import { AuditTrail, CasePanel } from './CasePanel';
import { EvidencePlayer } from './EvidencePlayer';
import { STATUS_LABEL, TYPE_LABEL, fmtDateTime, money } from './format';

export const TAGS: { key: string; status: ExceptionSummary['status']; label: string }[] = [
  { key: 'A', status: 'approved', label: 'Approve' },
  { key: 'I', status: 'investigating', label: 'Investigate' },
  { key: 'E', status: 'escalated', label: 'Escalate' },
];

/** One exception: what was flagged and why, the evidence, tags and notes, its case and audit trail. */
export function Detail({ id, zone, onTag }: { id: number; zone: string; onTag(status: ExceptionSummary['status']): Promise<void> }) {
  const { user } = useSession();
  const manager = can(user, 'manager');
  const ex = useQuery(() => api.call('exceptions.get', { id }), [id], ['exception.updated']);
  const clips = useQuery(() => api.call('clips.list', { exceptionId: id }), [id], ['clip.ready']);
  const notes = useQuery(() => api.call('review.notes', { exceptionId: id }), [id], ['note.added']);
  const [note, setNote] = useState('');
  const [error, setError] = useState<ApiError>();

  const addNote = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.call('review.note', { exceptionId: id, text: note });
      setNote('');
      setError(undefined);
      notes.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const tag = async (status: ExceptionSummary['status']) => {
    try {
      await onTag(status);
      setError(undefined);
    } catch (err) {
      setError(err as ApiError);
    }
  };

  if (ex.error) return <ErrorBanner error={ex.error} />;
  const x = ex.data;
  if (!x || x.id !== id) return <p className="dim" aria-busy="true">Loading exception #{id}…</p>;
  return (
    <article className="rv-detail" aria-label={`Exception ${x.id}`}>
      <div className="row rv-detail-head">
        <button className="btn ghost rv-back" onClick={() => go('review')}>← List</button>
        <h2 className="grow">{x.reasons[0]?.ruleName ?? TYPE_LABEL(x.type)} <span className="dim">#{x.id}</span></h2>
        <span className={`status-pill st-${x.status}`} aria-label={`Status: ${STATUS_LABEL[x.status]}`}>{STATUS_LABEL[x.status]}</span>
      </div>
      <p className="rv-facts">
        <span>{fmtDateTime(x.startedAt, zone)}</span>
        <span>{TYPE_LABEL(x.type)}</span>
        <span>Register {x.register ?? '–'}</span>
        <span>{x.employee ?? 'No employee'}</span>
        <strong>{money(x.amountCents)}</strong>
        <span className={`sev sev-${x.severity}`}>{x.severity}</span>
      </p>
      <ul className="reasons">
        {x.reasons.map((r) => (
          <li key={r.ruleId}><strong>{r.ruleName}</strong> <span className="dim">— {r.detail}</span></li>
        ))}
      </ul>
      <ErrorBanner error={error} />
      {manager ? (
        <div className="row tag-bar" role="group" aria-label="Tag">
          {TAGS.map((t) => (
            <button key={t.key} className={`btn ${x.status === t.status ? 'primary' : ''}`} aria-pressed={x.status === t.status} aria-keyshortcuts={t.key} onClick={() => tag(t.status)} disabled={x.status === 'confirmed'}>
              {t.label} <kbd>{t.key}</kbd>
            </button>
          ))}
        </div>
      ) : (
        <p className="dim">You can look; tagging and notes need a manager.</p>
      )}

      <section className="rv-section" aria-label="Evidence">
        <EvidencePlayer clips={clips.data ?? []} txns={x.transactions} flaggedAt={x.startedAt} zone={zone} />
      </section>

      <section className="card rv-section" aria-labelledby="notes-h">
        <h2 id="notes-h">Notes</h2>
        {notes.data?.length ? (
          <ul className="notes">
            {notes.data.map((n) => (
              <li key={n.id}>
                <div className="dim">{fmtDateTime(n.at, zone)} · {n.author.replace(/^user:\d+:/, '')}{n.caseId ? ` · case #${n.caseId}` : ''}</div>
                <div>{n.text}</div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="dim">No notes yet.</p>
        )}
        {manager && (
          <form onSubmit={addNote} className="note-form">
            <label className="field">
              <span>Add a note <kbd>N</kbd></span>
              <textarea id="rv-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What you saw, who you talked to" />
            </label>
            <button className="btn" type="submit" disabled={!note.trim()}>Add note</button>
          </form>
        )}
      </section>

      <CasePanel exceptionId={x.id} zone={zone} />
      <AuditTrail exceptionId={x.id} zone={zone} />
    </article>
  );
}
