import { useEffect, useState } from 'react';

/** Hash routes (#/settings/store) work the same from file:// in Electron and from the browser-mode server. */
export function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
export const go = (path: string) => (location.hash = `#/${path}`);
