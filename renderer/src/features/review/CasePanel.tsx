import { useEffect, useRef, useState, type FormEvent, type Ref } from 'react';
import type { AuditEvent, Case } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { can, useSession } from '../../session';
import { ErrorBanner } from '../../ui/kit';
import { FaceEnroll } from './FaceEnroll';
import { STATUS_LABEL, fmtDateTime, money } from './format';

/** The case holding an exception: open one, tag it, confirm it (who and why), export its evidence. */
export function CasePanel({ exceptionId, zone }: { exceptionId: number; zone: string }) {
  const { user } = useSession();
  const manager = can(user, 'manager');
  const cases = useQuery(() => api.call('cases.list', { exceptionId, limit: 10 }), [exceptionId], ['case.updated']);
  const c = cases.data?.[0];
  const [error, setError] = useState<ApiError>();
  const [amount, setAmount] = useState('');
  const [offender, setOffender] = useState('');
  const [exported, setExported] = useState<{ url: string; path: string; sha256: string }>();
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  // Opening a case is a view the audit trail records (once per case shown).
  useEffect(() => {
    if (c) api.call('cases.get', { id: c.id }).catch(() => undefined);
  }, [c?.id]);
  useEffect(() => setExported(undefined), [exceptionId]);

  const run = async (f: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    try {
      await f();
      setError(undefined);
      cases.reload();
      return true;
    } catch (e) {
      setError(e as ApiError);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    const cents = amount.trim() ? Math.round(Number(amount.replace(/[$,]/g, '')) * 100) : undefined;
    if (cents !== undefined && (!Number.isFinite(cents) || cents < 0)) {
      setError(new ApiError({ code: 'invalid_input', message: `Amount "${amount}" is not a dollar amount such as 12.50.` }));
      return;
    }
    void run(() => api.call('cases.create', { exceptionIds: [exceptionId], amountCents: cents, offender: offender.trim() || undefined }));
  };

  const doExport = (id: number) =>
    run(async () => {
      const r = await api.call('cases.export', { id });
      const { url } = await api.call('media.url', { path: r.path });
      setExported({ url, path: r.path, sha256: r.sha256 });
    });

  return (
    <section className="card rv-section" aria-labelledby="case-h">
      <h2 id="case-h">Case</h2>
      <ErrorBanner error={error} />
      {!c ? (
        manager ? (
          <form onSubmit={create} className="case-new">
            <p className="dim">Group this exception into a case to track the amount, the person and the outcome.</p>
            <div className="form-grid">
              <label className="field">
                <span>Amount (optional)</span>
                <input inputMode="decimal" placeholder="from the transaction" value={amount} onChange={(e) => setAmount(e.target.value)} />
              </label>
              <label className="field">
                <span>Offender candidate (optional)</span>
                <input placeholder="e.g. man in red cap" value={offender} onChange={(e) => setOffender(e.target.value)} />
              </label>
            </div>
            <button className="btn primary" type="submit" disabled={busy}>Open case</button>
          </form>
        ) : (
          <p className="dim">No case yet. A manager can open one.</p>
        )
      ) : (
        <CaseView
          c={c}
          zone={zone}
          manager={manager}
          busy={busy}
          userId={user.id}
          onUpdate={(patch) => run(() => api.call('cases.update', { id: c.id, ...patch }))}
          onTag={(tag) => run(() => api.call('cases.tag', { id: c.id, tag }))}
          onLinked={() => cases.reload()}
          onConfirm={() => dialog.current?.showModal()} onExport={() => doExport(c.id)} exported={exported} />
      )}
      {c && (
        <ConfirmDialog
          ref={dialog}
          who={`${user.displayName} (${user.username})`}
          onConfirm={async (reason) => {
            await api.call('cases.confirm', { id: c.id, reason });
            cases.reload();
          }}
        />
      )}
    </section>
  );
}

function CaseView(props: {
  c: Case;
  zone: string;
  manager: boolean;
  busy: boolean;
  userId: number;
  onUpdate(patch: { amountCents?: number | null; offender?: string | null; assigneeUserId?: number | null }): Promise<boolean>;
  onTag(tag: 'approved' | 'investigate' | 'escalate' | 'dismiss' | 'reopen'): void;
  onConfirm(): void;
  onExport(): void;
  onLinked(): void;
  exported?: { url: string; path: string; sha256: string };
}) {
  const { c, zone, manager, busy } = props;
  const final = c.status === 'confirmed';
  const [editing, setEditing] = useState(false);
  const [amount, setAmount] = useState('');
  const [offender, setOffender] = useState('');
  const [bad, setBad] = useState<string>();
  const startEdit = () => {
    setAmount(c.amountSource === 'entered' ? (c.amountCents / 100).toFixed(2) : '');
    setOffender(c.offender ?? '');
    setBad(undefined);
    setEditing(true);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const cents = amount.trim() ? Math.round(Number(amount.replace(/[$,]/g, '')) * 100) : null;
    if (cents !== null && (!Number.isFinite(cents) || cents < 0)) return setBad(`Amount "${amount}" is not a dollar amount such as 12.50.`);
    if (await props.onUpdate({ amountCents: cents, offender: offender.trim() || null })) setEditing(false);
  };
  return (
    <div className="case-view">
      <div className="row">
        <strong className="grow">Case #{c.id}: {c.title}</strong>
        <span className={`status-pill st-${c.status}`}>{STATUS_LABEL[c.status]}</span>
      </div>
      <dl className="kv">
        <dt>Amount</dt>
        <dd>{money(c.amountCents)} <span className="dim">({c.amountSource === 'entered' ? 'entered' : 'from the transactions'})</span></dd>
        {c.offender && (<><dt>Offender candidate</dt><dd>{c.offender}</dd></>)}
        {c.subjectId !== null && (<><dt>Watchlist</dt><dd>Face enrolled as subject #{c.subjectId}</dd></>)}
        <dt>Exceptions</dt>
        <dd>{c.exceptionIds.map((e) => `#${e}`).join(', ')}</dd>
        <dt>Opened</dt>
        <dd>{fmtDateTime(c.createdAt, zone)} by {who(c.createdBy)}</dd>
        <dt>Assigned to</dt>
        <dd>{c.assigneeUserId === null ? 'Nobody' : c.assigneeUserId === props.userId ? 'You' : `User #${c.assigneeUserId}`}</dd>
        {final && (<><dt>Confirmed</dt><dd>{fmtDateTime(c.confirmedAt!, zone)} by {who(c.confirmedBy!)}: “{c.confirmReason}”</dd></>)}
      </dl>
      {manager && !final && editing && (
        <form className="case-edit" onSubmit={save} noValidate>
          {bad && <div className="banner error" role="alert">{bad}</div>}
          <div className="form-grid">
            <label className="field">
              <span>Amount in dollars (empty = from the transactions)</span>
              <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
            </label>
            <label className="field">
              <span>Offender candidate</span>
              <input value={offender} onChange={(e) => setOffender(e.target.value)} />
            </label>
          </div>
          <div className="row">
            <button type="button" className="btn" onClick={() => setEditing(false)}>Cancel</button>
            <button type="submit" className="btn primary" disabled={busy}>Save case</button>
          </div>
        </form>
      )}
      {manager && !final && !editing && (
        <div className="row">
          <button className="btn" disabled={busy} onClick={startEdit}>Edit amount / offender</button>
          <button className="btn" disabled={busy} onClick={() => void props.onUpdate({ assigneeUserId: c.assigneeUserId === props.userId ? null : props.userId })}>
            {c.assigneeUserId === props.userId ? 'Unassign me' : 'Assign to me'}
          </button>
        </div>
      )}
      {manager && !final && (
        <div className="row">
          <button className="btn" disabled={busy} onClick={() => props.onTag('approved')}>Approve</button>
          <button className="btn" disabled={busy} onClick={() => props.onTag('investigate')}>Investigate</button>
          <button className="btn" disabled={busy} onClick={() => props.onTag('escalate')}>Escalate</button>
          <button className="btn" disabled={busy} onClick={() => props.onTag('dismiss')}>Dismiss</button>
          <button className="btn primary" disabled={busy || c.status === 'approved' || c.status === 'dismissed'} onClick={props.onConfirm}>Confirm case…</button>
        </div>
      )}
      {manager && !final && <FaceEnroll c={c} onLinked={props.onLinked} />}
      {!manager && !final && <p className="dim">Only a manager can tag or confirm a case.</p>}
      {final && <p className="dim">Confirmed cases are final; they go to Penny Network when this station is paired.</p>}
      {manager && (
        <div className="row">
          <button className="btn" disabled={busy} onClick={props.onExport}>{busy ? 'Working…' : 'Export evidence bundle'}</button>
          {props.exported && (
            <a className="btn ghost" href={props.exported.url} download>Download {props.exported.path.split('/').pop()}</a>
          )}
        </div>
      )}
    </div>
  );
}

const who = (label: string) => label.replace(/^user:\d+:/, '').replace(/^system:/, 'system ');

function ConfirmDialog({ ref, who, onConfirm }: { ref: Ref<HTMLDialogElement>; who: string; onConfirm(reason: string): Promise<void> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const dlg = e.currentTarget.closest('dialog');
    setBusy(true);
    try {
      await onConfirm(reason);
      setReason('');
      setError(undefined);
      dlg?.close();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-h">
      <form onSubmit={submit} noValidate>
        <h2 id="confirm-h">Confirm this case</h2>
        <p>Confirming as <strong>{who}</strong>. A confirmed case is final and is shared with Penny Network.</p>
        <ErrorBanner error={error} />
        <label className="field">
          <span>Why are you confirming it?</span>
          <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} required placeholder="What the video and receipt show" />
        </label>
        <div className="row">
          <button type="button" className="btn" onClick={(e) => e.currentTarget.closest('dialog')?.close()}>Cancel</button>
          <button type="submit" className="btn primary" disabled={busy}>Confirm case</button>
        </div>
      </form>
    </dialog>
  );
}

/** Every view, change and export of the exception and its case, with who and when (managers only: audit.list). */
export function AuditTrail({ exceptionId, zone }: { exceptionId: number; zone: string }) {
  const { user } = useSession();
  const manager = can(user, 'manager');
  const trail = useQuery(
    async () => {
      if (!manager) return [] as AuditEvent[];
      const cases = await api.call('cases.list', { exceptionId, limit: 10 });
      const lists = await Promise.all([
        api.call('audit.list', { entity: 'exception', entityId: String(exceptionId), limit: 200 }),
        ...cases.map((c) => api.call('audit.list', { entity: 'case', entityId: String(c.id), limit: 200 })),
        ...cases.flatMap((c) => (c.subjectId ? [api.call('audit.list', { entity: 'face_subject', entityId: String(c.subjectId), limit: 200 })] : [])),
      ]);
      return lists.flat().sort((a, b) => b.at - a.at || b.id - a.id);
    },
    [exceptionId, manager],
    ['audit.recorded'],
  );
  return (
    <section className="card rv-section" aria-labelledby="audit-h">
      <h2 id="audit-h">Audit trail</h2>
      {!manager ? (
        <p className="dim">The audit trail is visible to managers.</p>
      ) : trail.error ? (
        <ErrorBanner error={trail.error} />
      ) : !trail.data?.length ? (
        <p className="dim">Nothing recorded yet.</p>
      ) : (
        <ol className="audit" aria-label="Audit trail">
          {trail.data.map((e) => (
            <li key={e.id}>
              <span className="dim">{fmtDateTime(e.at, zone)}</span> <strong>{ACTION[e.action] ?? e.action}</strong>{' '}
              <span className="dim">{e.entity} #{e.entityId}</span> · {who(e.actor)}
              {describe(e) && <div className="dim audit-detail">{describe(e)}</div>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const ACTION: Record<string, string> = {
  'exception.setStatus': 'Tagged',
  'exception.note': 'Note added',
  'case.create': 'Case opened',
  'case.view': 'Case viewed',
  'case.update': 'Case changed',
  'case.note': 'Case note added',
  'case.tag': 'Case tagged',
  'case.confirm': 'Case confirmed',
  'case.export': 'Evidence exported',
  'faces.subjectCreate': 'Face enrolled (new watchlist subject)',
  'faces.enroll': 'Face added to watchlist subject',
};

function describe(e: AuditEvent): string {
  const d = (e.details ?? {}) as Record<string, unknown>;
  if (e.action === 'exception.setStatus') return `${STATUS_LABEL[String(d.from)] ?? d.from} → ${STATUS_LABEL[String(d.to)] ?? d.to}${d.note ? `: ${String(d.note)}` : ''}`;
  if (e.action === 'case.tag') return `${STATUS_LABEL[String(d.from)] ?? d.from} → ${STATUS_LABEL[String(d.to)] ?? d.to}`;
  if (e.action === 'case.confirm') return `Reason: ${String(d.reason)}`;
  if (e.action === 'case.export') return String(d.path ?? '');
  if (e.action === 'faces.subjectCreate' || e.action === 'faces.enroll') return `${Array.isArray(d.templates) ? d.templates.length : 0} face template(s)`;
  return '';
}
