import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { OutputOf } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { can, useSession } from '../../session';
import { EmptyState, ErrorBanner } from '../../ui/kit';
import { IconReports } from '../../ui/icons';
import './reports.css';

type Report = OutputOf<'reports.overview'>;
type Bucket = Report['bucket'];
const DAY = 86_400_000;
const RANGES = { all: 'All data', d7: 'Last 7 days', d30: 'Last 30 days', d365: 'Last year' } as const;
type Range = keyof typeof RANGES;
const COLORS = ['#f5b942', '#58a6ff', '#f0605a', '#3fb97f', '#b18cf2', '#f08a3a', '#5fd1c9', '#d16fa6'];
const money = (c: number) => `$${(c / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const label = (t: string) => t.replace(/_/g, ' ');

function Trend({ r }: { r: Report }) {
  const types = [...new Set(r.trend.map((t) => t.type))];
  const rows = useMemo(() => {
    const m = new Map<string, Record<string, string | number>>();
    for (const t of r.trend) {
      const row = m.get(t.period) ?? { period: t.period };
      row[t.type] = t.count;
      m.set(t.period, row);
    }
    return [...m.values()];
  }, [r]);
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis dataKey="period" stroke="var(--text-dim)" fontSize={12} />
        <YAxis allowDecimals={false} stroke="var(--text-dim)" fontSize={12} />
        <Tooltip contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)' }} />
        <Legend formatter={(v: string) => label(v)} />
        {types.map((t, i) => <Bar key={t} dataKey={t} stackId="a" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />)}
      </BarChart>
    </ResponsiveContainer>
  );
}

function Employees({ r }: { r: Report }) {
  const rows = r.employees.slice(0, 12).map((e) => ({ name: e.employee, 'This employee': e.rate, Peers: e.peerRate }));
  if (!rows.length) return <p className="dim">The POS reports name no employees.</p>;
  return (
    <ResponsiveContainer width="100%" height={Math.max(160, rows.length * 44)}>
      <BarChart data={rows} layout="vertical" margin={{ left: 20 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis type="number" unit="%" stroke="var(--text-dim)" fontSize={12} />
        <YAxis type="category" dataKey="name" width={110} stroke="var(--text-dim)" fontSize={12} />
        <Tooltip formatter={(v) => `${String(v)} per 100 transactions`} contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)' }} />
        <Legend />
        <Bar dataKey="This employee" fill="#f5b942" isAnimationActive={false} />
        <Bar dataKey="Peers" fill="#58a6ff" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function Heatmap({ r }: { r: Report }) {
  const registers = [...new Set(r.heatmap.map((h) => h.register))];
  const max = Math.max(1, ...r.heatmap.map((h) => h.count));
  const at = new Map(r.heatmap.map((h) => [`${h.register}|${h.hour}`, h.count]));
  if (!registers.length) return <p className="dim">No exceptions in this period.</p>;
  return (
    <div className="heatmap" role="table" aria-label="Exceptions by register and hour">
      <div className="hm-row" role="row">
        <span className="hm-label" role="columnheader" aria-label="Register">Reg.</span>
        {Array.from({ length: 24 }, (_, h) => <span key={h} className="hm-hour" role="columnheader">{h % 3 === 0 ? h : ''}</span>)}
      </div>
      {registers.map((reg) => (
        <div className="hm-row" role="row" key={reg}>
          <span className="hm-label" role="rowheader">{reg}</span>
          {Array.from({ length: 24 }, (_, h) => {
            const n = at.get(`${reg}|${h}`) ?? 0;
            return <span key={h} role="cell" className="hm-cell" title={`${reg}, ${h}:00–${h}:59: ${n}`} style={{ opacity: n ? 0.25 + 0.75 * (n / max) : 1, background: n ? 'var(--accent)' : 'var(--bg-sunken)' }}>{n || ''}</span>;
          })}
        </div>
      ))}
    </div>
  );
}

function Loss({ r }: { r: Report }) {
  const rows = r.loss.map((l) => ({ period: l.period, Flagged: l.flaggedCents / 100, Recovered: l.recoveredCents / 100 }));
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis dataKey="period" stroke="var(--text-dim)" fontSize={12} />
        <YAxis stroke="var(--text-dim)" fontSize={12} tickFormatter={(v: number) => `$${v}`} />
        <Tooltip formatter={(v) => `$${Number(v).toFixed(2)}`} contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)' }} />
        <Legend />
        <Bar dataKey="Flagged" fill="#f0605a" isAnimationActive={false} />
        <Bar dataKey="Recovered" fill="#3fb97f" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function DailySummary() {
  const { data, error } = useQuery(() => api.call('alerts.summary', { period: 'daily', send: false }), [], ['exception.flagged']);
  if (error) return <ErrorBanner error={error} />;
  if (!data) return <p className="dim">Loading…</p>;
  return (
    <div className="daily">
      <p className="dim">The same summary the daily e-mail sends ({new Date(data.since).toLocaleString()} – {new Date(data.until).toLocaleString()}).</p>
      <h3>{data.title}</h3>
      <pre>{data.text}</pre>
    </div>
  );
}

/** Reports: the story of the period at a glance, with CSV/PDF export and the daily summary. */
export function Reports() {
  const { user } = useSession();
  const [range, setRange] = useState<Range>('all');
  const [bucket, setBucket] = useState<Bucket>('week');
  const [view, setView] = useState<'charts' | 'daily'>('charts');
  const [exporting, setExporting] = useState<string>();
  const [exportError, setExportError] = useState<ApiError>();
  const input = useMemo(() => {
    if (range === 'all') return { bucket };
    const days = range === 'd7' ? 7 : range === 'd30' ? 30 : 365;
    const until = Date.now();
    return { bucket, since: until - days * DAY, until };
  }, [range, bucket]);
  const { data: r, error } = useQuery(() => api.call('reports.overview', input), [input], ['import.finished', 'exception.updated']);
  const { data: store } = useQuery(() => api.call('store.get', {}).catch(() => null));
  const day = (ms: number) => new Date(ms).toLocaleDateString(undefined, { timeZone: store?.timezone });

  const exportAs = async (format: 'csv' | 'pdf') => {
    setExporting(format);
    setExportError(undefined);
    try {
      const file = await api.call('reports.export', { ...input, format });
      const { url } = await api.call('media.url', { path: file.path });
      const a = document.createElement('a');
      a.href = url;
      a.download = file.path.split('/').pop() ?? `report.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) {
      setExportError(e as ApiError);
    } finally {
      setExporting(undefined);
    }
  };

  return (
    <div className="reports">
      <div className="rep-toolbar">
        <div className="seg" role="group" aria-label="View">
          <button className={`btn ${view === 'charts' ? 'primary' : 'ghost'}`} aria-pressed={view === 'charts'} onClick={() => setView('charts')}>Charts</button>
          {can(user, 'manager') && <button className={`btn ${view === 'daily' ? 'primary' : 'ghost'}`} aria-pressed={view === 'daily'} onClick={() => setView('daily')}>Daily summary</button>}
        </div>
        {view === 'charts' && (
          <>
            <label className="rep-select">Period <select value={range} onChange={(e) => setRange(e.target.value as Range)}>{Object.entries(RANGES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
            <label className="rep-select">By <select value={bucket} onChange={(e) => setBucket(e.target.value as Bucket)}><option value="day">day</option><option value="week">week</option><option value="month">month</option></select></label>
            <span className="grow" />
            {can(user, 'manager') && (
              <>
                <button className="btn" disabled={!!exporting} onClick={() => void exportAs('csv')}>{exporting === 'csv' ? 'Exporting…' : 'Export CSV'}</button>
                <button className="btn" disabled={!!exporting} onClick={() => void exportAs('pdf')}>{exporting === 'pdf' ? 'Exporting…' : 'Export PDF'}</button>
              </>
            )}
            <button className="btn ghost" onClick={() => window.print()}>Print</button>
          </>
        )}
      </div>
      <ErrorBanner error={exportError ?? error} />
      {view === 'daily' ? (
        <section className="card"><DailySummary /></section>
      ) : !r ? (
        !error && <p className="dim">Loading…</p>
      ) : r.totals.transactions === 0 ? (
        <EmptyState icon={<IconReports />} title="No data to chart yet">
          <p className="dim">Trends by exception type, per-employee rates, a register × hour heatmap and loss against recovery appear once POS reports are imported.</p>
        </EmptyState>
      ) : (
        <>
          <div className="rep-totals">
            <div className="card stat"><span className="dim">Transactions</span><b data-testid="total-transactions">{r.totals.transactions.toLocaleString()}</b></div>
            <div className="card stat"><span className="dim">Exceptions</span><b data-testid="total-exceptions">{r.totals.exceptions.toLocaleString()}</b></div>
            <div className="card stat"><span className="dim">Loss flagged</span><b>{money(r.totals.flaggedCents)}</b></div>
            <div className="card stat"><span className="dim">Recovered</span><b>{money(r.totals.recoveredCents)}</b></div>
          </div>
          <p className="dim rep-range">{day(r.since)} – {day(r.until - 1)} · by type: {r.byType.map((t) => <span key={t.type} className="rep-type" data-testid={`type-${t.type}`}>{label(t.type)} <b>{t.count}</b></span>)}</p>
          <div className="rep-grid">
            <section className="card"><h2>Exceptions by type, per {r.bucket}</h2><Trend r={r} /></section>
            <section className="card"><h2>Employees against peers</h2><p className="dim">Exceptions per 100 transactions.</p><Employees r={r} /></section>
            <section className="card"><h2>Register × hour</h2><Heatmap r={r} /></section>
            <section className="card"><h2>Loss flagged vs recovered</h2><p className="dim">Recovered stays at $0 until Penny Network records recoveries.</p><Loss r={r} /></section>
          </div>
        </>
      )}
    </div>
  );
}
