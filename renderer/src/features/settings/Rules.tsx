import { useEffect, useState } from 'react';
import type { OutputOf } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { can, useSession } from '../../session';
import { ErrorBanner } from '../../ui/kit';
import './rules.css';

type Rule = OutputOf<'rules.list'>[number];
type Def = Rule['definition'];

/** The numbers a manager tunes: the amount threshold, and for bursts the count and the window. */
function Thresholds({ def, onChange, disabled }: { def: Def; onChange(d: Def): void; disabled: boolean }) {
  const match = 'match' in def ? def.match : def.kind === 'sequence' ? def.first : undefined;
  return (
    <div className="row" style={{ flexWrap: 'wrap', gap: 10 }}>
      {match && def.kind !== 'sequence' && (
        <label>Min amount $ <input type="number" min={0} step="0.01" disabled={disabled} style={{ width: 90 }} value={match.minAmountCents != null ? match.minAmountCents / 100 : ''} onChange={(e) => onChange({ ...def, match: { ...match, minAmountCents: e.target.value === '' ? undefined : Math.round(Number(e.target.value) * 100) } } as Def)} /></label>
      )}
      {def.kind === 'window' && (
        <>
          <label>At least <input type="number" min={2} disabled={disabled} style={{ width: 64 }} value={def.count} onChange={(e) => onChange({ ...def, count: Number(e.target.value) })} /></label>
          <label>within <input type="number" min={1} disabled={disabled} style={{ width: 64 }} value={def.withinMinutes} onChange={(e) => onChange({ ...def, withinMinutes: Number(e.target.value) })} /> min</label>
        </>
      )}
    </div>
  );
}

function RuleRow({ rule, admin, onSaved }: { rule: Rule; admin: boolean; onSaved(): void }) {
  const [draft, setDraft] = useState<Def>(rule.definition);
  const [preview, setPreview] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const dirty = JSON.stringify(draft) !== JSON.stringify(rule.definition);
  // Live preview: what the draft would flag over the last 30 days, a moment after the last change.
  useEffect(() => {
    if (!dirty) return setPreview(undefined);
    const t = setTimeout(() => {
      api.call('rules.preview', { rule: draft, days: 30, examples: 0 }).then(
        (p) => setPreview(`Would flag ${p.count} in the last 30 days`),
        (e: ApiError) => setPreview(e.message),
      );
    }, 300);
    return () => clearTimeout(t);
  }, [draft, dirty]);
  const save = async (d: Def) => {
    try {
      await api.call('rules.save', { rules: [d] });
      setError(undefined);
      onSaved();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  return (
    <tr>
      <td>
        <b>{rule.definition.name}</b>
        <div className="dim" style={{ fontSize: '0.85rem' }}>{rule.definition.severity} · {rule.definition.kind}{rule.builtIn ? ' · built in' : ''}</div>
        <Thresholds def={draft} onChange={setDraft} disabled={!admin} />
        {preview && <div className="dim" role="status">{preview}</div>}
        <ErrorBanner error={error} />
      </td>
      <td style={{ whiteSpace: 'nowrap' }}>
        <label className="rule-toggle"><input type="checkbox" disabled={!admin} checked={rule.definition.enabled} onChange={(e) => void save({ ...rule.definition, enabled: e.target.checked })} /> {rule.definition.enabled ? 'On' : 'Off'}</label>
        {admin && dirty && <button className="btn primary" style={{ marginLeft: 8 }} onClick={() => void save(draft)}>Save</button>}
      </td>
    </tr>
  );
}

/** Settings → Rules: switch rules on and off and tune thresholds with a live preview. Changes are admin only. */
export function Rules() {
  const { user } = useSession();
  const admin = can(user, 'admin');
  const { data, error, reload } = useQuery(() => api.call('rules.list', {}));
  if (error) return <ErrorBanner error={error} />;
  return (
    <section className="card">
      <h2>Rules</h2>
      <p className="dim">Which transactions become exceptions. {admin ? 'Changes apply to new imports; earlier exceptions stay.' : 'Only an admin can change rules.'}</p>
      <table className="list rules-table">
        <thead><tr><th>Rule</th><th>Enabled</th></tr></thead>
        <tbody>{data?.map((r) => <RuleRow key={`${r.definition.id}:${r.updatedAt}`} rule={r} admin={admin} onSaved={reload} />)}</tbody>
      </table>
    </section>
  );
}
