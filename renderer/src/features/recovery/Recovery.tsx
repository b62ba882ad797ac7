import { useState } from 'react';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { can, useSession } from '../../session';
import { ErrorBanner } from '../../ui/kit';
import { RecoveryEmpty } from '../empty/EmptyTabs';
import { asError, plural, useSyncStatus, when } from '../network/sync';
import { NoticeSheet, type Notice } from './NoticeSheet';
import '../network/network.css';
import './recovery.css';

const money = (cents: number | null | undefined) => (cents == null ? '—' : (cents / 100).toLocaleString([], { style: 'currency', currency: 'USD' }));
const SENT_WORD: Record<string, string> = { queued: 'Waiting to send', sending: 'Sending', sent: 'With Penny Ops', accepted: 'Approved by Ops', rejected: 'Rejected by Ops', failed: 'Not sent (error)' };

/** Recovery: confirmed cases with what is owed, QR notices for approved ones, and the commission ledger. */
export function Recovery() {
  const { user } = useSession();
  if (!can(user, 'manager')) return <div className="banner error" role="alert">Recovery is for managers and admins. Ask an admin if you need access.</div>;
  return <RecoveryView />;
}

function RecoveryView() {
  const { status } = useSyncStatus();
  const events = ['sync.statusChanged', 'sync.caseDecided', 'case.confirmed'];
  const cases = useQuery(() => api.call('cases.list', { status: 'confirmed', limit: 200 }), [], events);
  const outbox = useQuery(() => api.call('sync.outbox', { limit: 1000 }), [], events);
  const rec = useQuery(() => api.call('sync.recovery', {}), [], events);
  const [notice, setNotice] = useState<Notice>();
  const [busyCase, setBusyCase] = useState<number>();
  const [error, setError] = useState<ApiError>();

  const generate = async (caseId: number) => {
    setBusyCase(caseId);
    setError(undefined);
    try {
      const n = await api.call('sync.notice', { caseId });
      setNotice({ ...n, caseId });
      rec.reload();
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusyCase(undefined);
    }
  };

  if (!status || !cases.data || !rec.data) return <ErrorBanner error={cases.error ?? rec.error ?? outbox.error} />;
  const r = rec.data;
  if (!status.paired && !cases.data.length && !r.entries.length && !r.notices.length) return <RecoveryEmpty />;

  // The newest outbox entry of a case says where it is; debts are keyed by any of its network case ids.
  const latest = new Map<number, { status: string; networkCaseIds: string[] }>();
  for (const e of [...(outbox.data ?? [])].reverse()) {
    const prev = latest.get(e.caseId);
    latest.set(e.caseId, { status: e.status, networkCaseIds: [...(prev?.networkCaseIds ?? []), ...(e.networkCaseId ? [e.networkCaseId] : [])] });
  }
  const approved = new Set(r.approved.map((a) => a.caseId));
  const debtOf = (ids: string[]) => r.debts.filter((d) => ids.includes(d.caseId)).reduce((s, d) => s + d.amountCents, 0);
  const noticesOf = (id: number) => r.notices.filter((n) => n.caseId === id).length;
  const outstanding = r.debts.reduce((s, d) => s + d.amountCents, 0);

  return (
    <div className="nw-page">
      <ErrorBanner error={error ?? cases.error ?? rec.error ?? outbox.error} />
      <div className="rc-totals">
        <Stat label="Confirmed cases" value={String(cases.data.length)} />
        <Stat label="Outstanding debt" value={money(outstanding)} />
        <Stat label="Recovered" value={money(r.totals.grossCents)} />
        <Stat label="Store's share" value={money(r.totals.storeShareCents)} />
      </div>
      {!status.paired && <div className="banner nw-info">Not paired with a Penny Network: cases wait here, and notices need a network. An admin pairs the station in Settings → Network.</div>}
      {notice && <NoticeSheet notice={notice} onClose={() => setNotice(undefined)} />}

      <section className="card">
        <h2>Confirmed cases</h2>
        {!cases.data.length ? (
          <p className="dim">No confirmed cases yet. Confirm a case in Review and it appears here.</p>
        ) : (
          <div className="rc-cases">
            <div className="rc-case rc-case-head" aria-hidden="true"><span>Case</span><span>Offender</span><span className="rc-num">Amount</span><span className="rc-num">Owed</span><span>Network</span><span /></div>
            {cases.data.map((c) => {
              const l = latest.get(c.id);
              const owed = l ? debtOf(l.networkCaseIds) : 0;
              const n = noticesOf(c.id);
              return (
                <article className="rc-case" key={c.id} aria-label={`Case #${c.id}`}>
                  <div><strong>#{c.id}</strong> <span className="dim rc-title">{c.title}</span></div>
                  <div><span className="rc-label">Offender </span>{c.offender ?? <span className="dim">Unknown</span>}</div>
                  <div className="rc-num"><span className="rc-label">Amount </span>{money(c.amountCents)}</div>
                  <div className="rc-num" data-testid="owed"><span className="rc-label">Owed </span>{owed ? <strong>{money(owed)}</strong> : <span className="dim">—</span>}</div>
                  <div>{l ? SENT_WORD[l.status] ?? l.status : <span className="dim">Not queued</span>}{n > 0 && <div className="dim">{plural(n, 'notice')}</div>}</div>
                  <div className="rc-act">
                    {approved.has(c.id) ? (
                      <button className="btn" type="button" disabled={busyCase !== undefined || !status.paired} onClick={() => void generate(c.id)}>
                        {busyCase === c.id ? 'Generating…' : 'Generate QR'}
                      </button>
                    ) : (
                      <span className="dim rc-why">QR after Ops approves</span>
                    )}
                  </div>
                </article>
              );
            })}
          </div>
        )}
      </section>

      <section className="card">
        <h2>Notices sent</h2>
        {!r.notices.length ? (
          <p className="dim">No notices yet. Generate a QR code for a case Penny Ops approved; the offender pays through the link.</p>
        ) : (
          <ul className="rc-log">
            {r.notices.map((n) => (
              <li key={n.noticeId}>
                <div><strong>{n.caseId ? `Case #${n.caseId}` : n.networkCaseId}</strong> <span className="dim">· made {when(n.createdAt)} · link valid until {when(n.expiresAt)}</span></div>
                <div className="sx-url dim">{n.url}</div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card">
        <h2>Commission ledger</h2>
        <p className="dim">From Penny Network, last fetched {when(r.fetchedAt)}.</p>
        {!r.entries.length ? (
          <p className="dim">No payments recovered yet.</p>
        ) : (
          <div className="rc-scroll">
            <table className="list rc-table">
              <thead><tr><th>Date</th><th>Network case</th><th className="rc-num">Paid</th><th className="rc-num">Store</th><th className="rc-num">Network</th></tr></thead>
              <tbody>
                {r.entries.map((e) => (
                  <tr key={e.id}><td>{when(e.createdAt)}</td><td className="sx-url">{e.caseId}</td><td className="rc-num">{money(e.grossCents)}</td><td className="rc-num">{money(e.storeShareCents)}</td><td className="rc-num">{money(e.networkShareCents)}</td></tr>
                ))}
              </tbody>
              <tfoot><tr><th colSpan={2}>Total</th><th className="rc-num">{money(r.totals.grossCents)}</th><th className="rc-num">{money(r.totals.storeShareCents)}</th><th className="rc-num">{money(r.totals.networkShareCents)}</th></tr></tfoot>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rc-stat">
      <span className="dim">{label}</span>
      <strong>{value}</strong>
    </div>
  );
}
