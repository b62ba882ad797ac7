import { useCallback, useEffect, useState } from 'react';
import type { OutputOf, User } from '../../services/contract/index';
import { api, ApiError } from './api/client';
import { Onboarding } from './features/onboarding/Onboarding';
import { Login } from './features/auth/Login';
import { Shell } from './shell/Shell';
import { SessionContext } from './session';
import { applyTheme } from './theme';
import { Brand, ErrorBanner } from './ui/kit';

type Info = OutputOf<'system.info'>;

export function App() {
  const [info, setInfo] = useState<Info>();
  const [user, setUser] = useState<User | null>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const i = await api.call('system.info', {});
      setInfo(i);
      if (!i.onboarded) return setUser(null);
      if (!api.session) return setUser(null);
      setUser(await api.call('auth.me', {}));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unauthenticated') {
        api.setSession(undefined);
        setUser(null);
      } else setError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    applyTheme();
    api.onUnauthenticated = () => {
      api.setSession(undefined);
      setUser(null);
    };
    void load();
  }, [load]);

  const signedIn = (token: string, u: User) => {
    api.setSession(token);
    setUser(u);
    void load();
  };

  if (error) {
    return (
      <div className="center-page">
        <div className="card">
          <Brand />
          <ErrorBanner error={error} />
          <button className="btn" onClick={() => location.reload()}>Try again</button>
        </div>
      </div>
    );
  }
  if (!info || user === undefined) return <div className="center-page"><p className="dim">Starting Penny…</p></div>;
  if (!info.onboarded) return <Onboarding onDone={(s) => signedIn(s.token, s.user)} />;
  if (!user) return <Login storeName={info.storeName ?? ''} onDone={(s) => signedIn(s.token, s.user)} />;

  const signOut = () => {
    void api.call('auth.logout', {}).catch(() => undefined);
    api.setSession(undefined);
    setUser(null);
  };
  return (
    <SessionContext.Provider value={{ user, storeName: info.storeName ?? '', signOut, refresh: () => void load() }}>
      <Shell />
    </SessionContext.Provider>
  );
}
