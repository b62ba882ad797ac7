import { useState, type FormEvent } from 'react';
import type { OutputOf } from '../../../../services/contract/index';
import { api, ApiError } from '../../api/client';
import { Brand, ErrorBanner, TextField } from '../../ui/kit';

export function Login({ storeName, onDone }: { storeName: string; onDone: (s: OutputOf<'auth.login'>) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      onDone(await api.call('auth.login', { username, password }));
    } catch (err) {
      setError(err as ApiError);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="center-page">
      <form className="card" onSubmit={submit} noValidate>
        <Brand />
        <h1 style={{ marginTop: 16 }}>Sign in</h1>
        <p className="dim">{storeName}</p>
        <ErrorBanner error={error} />
        <TextField label="Username" autoFocus autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
        <TextField label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <button className="btn primary" type="submit" disabled={busy || !username || !password}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
