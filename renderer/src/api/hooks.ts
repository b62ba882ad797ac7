import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './client';

/** Loads data from a command, reloads on demand and when any of the given events arrives. */
export function useQuery<T>(load: () => Promise<T>, deps: unknown[] = [], events: string[] = []) {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [loading, setLoading] = useState(true);
  const reload = useCallback(() => {
    setLoading(true);
    load()
      .then((v) => {
        setData(v);
        setError(undefined);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) })))
      .finally(() => setLoading(false));
  }, deps);
  useEffect(reload, [reload]);
  useEffect(() => {
    const offs = events.map((e) => api.on(e, reload));
    return () => offs.forEach((off) => off());
  }, [reload, events.join('|')]);
  return { data, error, loading, reload };
}
