import { useState, type FormEvent } from 'react';
import type { Role } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';
import { useQuery } from '../../api/hooks';
import { useSession } from '../../session';
import { ErrorBanner, fieldErrors, SelectField, TextField } from '../../ui/kit';

const ROLE_HELP: Record<Role, string> = {
  admin: 'Everything, including users, cameras and settings',
  manager: 'Review, tag and confirm cases; no settings',
  viewer: 'Read-only',
};

export function Users() {
  const { user: me } = useSession();
  const { data: users, error: loadError, reload } = useQuery(() => api.call('users.list', {}));
  const [form, setForm] = useState({ displayName: '', username: '', role: 'manager' as Role, password: '' });
  const [error, setError] = useState<ApiError>();
  const errs = fieldErrors(error);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.call('users.create', form);
      setForm({ displayName: '', username: '', role: 'manager', password: '' });
      setError(undefined);
      reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const update = async (id: number, change: { role?: Role; disabled?: boolean }) => {
    try {
      await api.call('users.update', { id, ...change });
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
        <h2>Users</h2>
        <ErrorBanner error={error && !Object.keys(errs).length ? error : undefined} />
        <table className="list">
          <thead>
            <tr><th>Name</th><th className="hide-narrow">Username</th><th>Role</th><th>Status</th></tr>
          </thead>
          <tbody>
            {users?.map((u) => (
              <tr key={u.id}>
                <td>{u.displayName}{u.id === me.id && <span className="dim"> (you)</span>}</td>
                <td className="hide-narrow">{u.username}</td>
                <td>
                  <select aria-label={`Role of ${u.username}`} value={u.role} onChange={(e) => void update(u.id, { role: e.target.value as Role })}>
                    <option value="admin">Admin</option>
                    <option value="manager">Manager</option>
                    <option value="viewer">Viewer</option>
                  </select>
                </td>
                <td>
                  <button className="btn ghost" onClick={() => void update(u.id, { disabled: !u.disabled })}>{u.disabled ? 'Enable' : 'Disable'}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <form className="card" onSubmit={add} noValidate style={{ maxWidth: 720 }}>
        <h2>Add a user</h2>
        <div className="form-grid">
          <TextField label="Name" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} error={errs.displayName} />
          <TextField label="Username" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} error={errs.username} />
          <SelectField label="Role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })} hint={ROLE_HELP[form.role]}>
            <option value="manager">Manager</option>
            <option value="viewer">Viewer</option>
            <option value="admin">Admin</option>
          </SelectField>
          <TextField label="Temporary password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} error={errs.password} hint="At least 8 characters." />
        </div>
        <button className="btn primary" type="submit">Add user</button>
      </form>
    </div>
  );
}
