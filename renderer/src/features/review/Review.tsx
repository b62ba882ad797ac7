import { useEffect, useRef, useState } from 'react';
import { EXCEPTION_STATUSES, TXN_TYPES, type ExceptionSummary } from '../../../../services/contract/index';
import { api } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { go } from '../../router';
import { can, useSession } from '../../session';
import { IconReview } from '../../ui/icons';
import { EmptyState, ErrorBanner } from '../../ui/kit';
import { Detail, TAGS } from './Detail';
import { ExceptionList } from './ExceptionList';
import { ImportDrop, Imports } from './Imports';
import { STATUS_LABEL, TYPE_LABEL, useStoreZone, zonedDayStart } from './format';
import { useReviewList, type Filters } from './useReviewList';
import './review.css';

const DAY = 86_400_000;

/** The Review tab: filters, the virtualized exception queue and the selected exception, all keyboard driven. */
export function Review({ sub }: { sub: string[] }) {
  if (sub[0] === 'imports') return <Imports id={sub[1] ? Number(sub[1]) : undefined} />;
  return <Queue selectedId={sub[0] && /^\d+$/.test(sub[0]) ? Number(sub[0]) : undefined} />;
}

function Queue({ selectedId }: { selectedId?: number }) {
  const { user } = useSession();
  const manager = can(user, 'manager');
  const zone = useStoreZone();
  const [form, setForm] = useState({ day: '', register: '', employee: '', type: '', rule: '', status: '', q: '' });
  const [q, setQ] = useState('');
  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const t = setTimeout(() => setQ(form.q.trim()), 300);
    return () => clearTimeout(t);
  }, [form.q]);
  const filters: Filters = {
    ...(form.day ? { since: zonedDayStart(form.day, zone), until: zonedDayStart(form.day, zone) + DAY - 1 } : {}),
    ...(form.register ? { register: form.register } : {}),
    ...(form.employee ? { employee: form.employee } : {}),
    ...(form.type ? { type: form.type as Filters['type'] } : {}),
    ...(form.rule ? { rule: form.rule } : {}),
    ...(form.status ? { status: form.status as Filters['status'] } : {}),
    ...(q ? { q } : {}),
  };
  const list = useReviewList(filters);
  const rules = useQuery(() => api.call('rules.list', {}), []);
  const registers = useQuery(() => api.call('registers.list', {}), []);
  const employees = [...new Set(list.items.map((i) => i.employee).filter((e): e is string => !!e))].sort();
  const filtered = Object.keys(filters).length > 0;

  // Keyboard: J/K move, A/I/E tag, N writes a note. Ignored while typing in a field or a dialog is open.
  const state = useRef({ items: list.items, selectedId, manager });
  state.current = { items: list.items, selectedId, manager };
  const tag = async (id: number, status: ExceptionSummary['status']) => {
    await api.call('exceptions.setStatus', { id, status });
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.closest('input, textarea, select, [contenteditable="true"]') || t.closest('dialog[open]'))) return;
      if (document.querySelector('dialog[open]')) return;
      const { items, selectedId: sel, manager: m } = state.current;
      const idx = items.findIndex((i) => i.id === sel);
      const k = e.key.toLowerCase();
      if (k === 'j' || k === 'k') {
        e.preventDefault();
        const next = k === 'j' ? (idx < 0 ? 0 : Math.min(items.length - 1, idx + 1)) : Math.max(0, idx - 1);
        if (items[next]) go(`review/${items[next].id}`);
        return;
      }
      if (!sel || !m) return;
      const t2 = TAGS.find((x) => x.key.toLowerCase() === k);
      if (t2) {
        e.preventDefault();
        // A confirmed exception belongs to its confirmed case; a stray key must not re-tag it.
        if (items[idx]?.status === 'confirmed') return;
        void tag(sel, t2.status).catch(() => undefined);
      } else if (k === 'n') {
        e.preventDefault();
        document.getElementById('rv-note')?.focus();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const noData = !list.loading && !list.items.length && !filtered;

  return (
    <div className={`review ${selectedId ? 'has-selection' : ''}`}>
      <div className="rv-toolbar row">
        <span className="rv-count" role="status">
          {list.total === null ? 'Loading…' : `${list.total.toLocaleString()} ${filtered ? 'matching ' : ''}exception${list.total === 1 ? '' : 's'}`}
        </span>
        <span className="grow" />
        <span className="dim hide-narrow rv-keys">
          <kbd>J</kbd>/<kbd>K</kbd> move · <kbd>A</kbd> approve · <kbd>I</kbd> investigate · <kbd>E</kbd> escalate · <kbd>N</kbd> note
        </span>
        <a className="btn ghost" href="#/review/imports">Past imports</a>
        <ImportDrop />
      </div>
      {noData ? (
        <EmptyState icon={<IconReview />} title="No exceptions to review">
          <p className="dim">
            Drop a POS report (Modisoft, Gilbarco Passport or NAXML, CSV or Excel) anywhere on this window{manager ? ', or use Import report' : ''}. Penny's rules flag refunds, voids, no-sales and
            other patterns for review here, each with its video clip.
          </p>
        </EmptyState>
      ) : (
        <div className="rv-split">
          <div className="rv-list-pane">
            <form className="rv-filters" role="search" aria-label="Filter exceptions" onSubmit={(e) => e.preventDefault()}>
              <input type="search" aria-label="Search notes" placeholder="Search notes…" value={form.q} onChange={set('q')} />
              <input type="date" aria-label="Date" value={form.day} onChange={set('day')} />
              <select aria-label="Status" value={form.status} onChange={set('status')}>
                <option value="">Any status</option>
                {EXCEPTION_STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABEL[s]}</option>)}
              </select>
              <select aria-label="Rule" value={form.rule} onChange={set('rule')}>
                <option value="">Any rule</option>
                {rules.data?.map((r) => <option key={r.definition.id} value={r.definition.id}>{r.definition.name}</option>)}
              </select>
              <select aria-label="Type" value={form.type} onChange={set('type')}>
                <option value="">Any type</option>
                {TXN_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABEL(t)}</option>)}
              </select>
              <select aria-label="Register" value={form.register} onChange={set('register')}>
                <option value="">Any register</option>
                {registers.data?.map((r) => <option key={r.id} value={r.code}>{r.name || `Register ${r.code}`}</option>)}
              </select>
              <input aria-label="Employee" list="rv-employees" placeholder="Employee" value={form.employee} onChange={set('employee')} />
              <datalist id="rv-employees">{employees.map((e) => <option key={e} value={e} />)}</datalist>
              {filtered && (
                <button type="button" className="btn ghost" onClick={() => setForm({ day: '', register: '', employee: '', type: '', rule: '', status: '', q: '' })}>Clear</button>
              )}
            </form>
            <ErrorBanner error={list.error} />
            {!list.loading && !list.items.length ? (
              <p className="dim rv-none">No exceptions match these filters.</p>
            ) : (
              <ExceptionList items={list.items} selectedId={selectedId} zone={zone} loadMore={list.loadMore} hasMore={list.hasMore} />
            )}
          </div>
          <div className="rv-detail-pane">
            {selectedId ? (
              <Detail id={selectedId} zone={zone} onTag={(status) => tag(selectedId, status)} />
            ) : (
              <div className="rv-pick dim">
                <p>Pick an exception, or press <kbd>J</kbd> to start at the newest.</p>
              </div>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
