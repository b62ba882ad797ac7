import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { can, useSession } from '../../session';
import { ErrorBanner, fieldErrors, TextField } from '../../ui/kit';

export function Registers() {
  const { user } = useSession();
  const { data, reload, error: loadError } = useQuery(() => api.call('registers.list', {}));
  const [form, setForm] = useState({ code: '', name: '' });
  const [error, setError] = useState<ApiError>();
  const errs = fieldErrors(error);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.call('registers.save', { ...form, active: true });
      setForm({ code: '', name: '' });
      setError(undefined);
      reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  if (loadError) return <ErrorBanner error={loadError} />;
  return (
    <div style={{ display: 'grid', gap: 20 }}>
      <section className="card">
        <h2>Registers</h2>
        <p className="dim">Each POS terminal. Cameras are mapped to registers so clips show the right counter.</p>
        {data?.length ? (
          <table className="list">
            <thead><tr><th>Code</th><th>Name</th><th>Status</th></tr></thead>
            <tbody>
              {data.map((r) => (
                <tr key={r.id}><td>{r.code}</td><td>{r.name}</td><td>{r.active ? 'Active' : 'Inactive'}</td></tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="dim">No registers yet. They are also created automatically when a POS report names one.</p>
        )}
      </section>
      {can(user, 'admin') && (
        <form className="card" onSubmit={add} noValidate style={{ maxWidth: 720 }}>
          <h2>Add a register</h2>
          <ErrorBanner error={error && !Object.keys(errs).length ? error : undefined} />
          <div className="form-grid">
            <TextField label="Code" hint="As the POS names it, e.g. 1 or REG02." value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} error={errs.code} />
            <TextField label="Name" placeholder="Front counter" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errs.name} />
          </div>
          <button className="btn primary" type="submit">Add register</button>
        </form>
      )}
    </div>
  );
}
