import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { can, useSession } from '../../session';
import { COMMON_ZONES, ErrorBanner, fieldErrors, SelectField, TextField } from '../../ui/kit';

export function StoreProfile() {
  const { user, refresh } = useSession();
  const { data, error: loadError } = useQuery(() => api.call('store.get', {}), [], ['store.updated']);
  const [form, setForm] = useState({ name: '', timezone: '', address: '' });
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  const editable = can(user, 'admin');
  useEffect(() => {
    if (data) setForm({ name: data.name, timezone: data.timezone, address: data.address });
  }, [data]);
  const errs = fieldErrors(error);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    try {
      await api.call('store.update', form);
      setError(undefined);
      setSaved(true);
      refresh();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  if (loadError) return <ErrorBanner error={loadError} />;
  if (!data) return <p className="dim">Loading…</p>;
  return (
    <form className="card" onSubmit={save} noValidate style={{ maxWidth: 720 }}>
      <h2>Store profile</h2>
      {!editable && <p className="dim">Only an admin can change the store profile.</p>}
      <ErrorBanner error={error && !Object.keys(errs).length ? error : undefined} />
      {saved && <div className="banner ok" role="status">Saved.</div>}
      <div className="form-grid">
        <TextField label="Store name" value={form.name} disabled={!editable} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errs.name} />
        <SelectField label="Time zone" value={form.timezone} disabled={!editable} onChange={(e) => setForm({ ...form, timezone: e.target.value })} error={errs.timezone} hint="POS report times are read in this zone.">
          {[...new Set([form.timezone, ...COMMON_ZONES])].filter(Boolean).map((z) => (
            <option key={z} value={z}>{z.replace(/_/g, ' ')}</option>
          ))}
        </SelectField>
      </div>
      <TextField label="Address" value={form.address} disabled={!editable} onChange={(e) => setForm({ ...form, address: e.target.value })} error={errs.address} />
      {editable && <button className="btn primary" type="submit">Save changes</button>}
    </form>
  );
}
