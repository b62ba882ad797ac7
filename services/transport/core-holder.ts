import { join } from 'node:path';
import type { Core } from '../core/index.js';

/** The core a transport serves right now; browser mode can swap it (real store ↔ demo store). */
export interface CoreHolder {
  readonly current: Core;
  /** Called after every swap with the new core, so listeners can re-subscribe to its events. */
  onSwitch(cb: (core: Core) => void): () => void;
}

export const fixedCore = (core: Core): CoreHolder => ({ current: core, onSwitch: () => () => {} });

export interface SwitchableCores extends CoreHolder {
  close(): Promise<void>;
}

/**
 * Holds the real store's core and, on request, the demo store's (<realDir>/demo). A swap opens the
 * other core first, points `current` at it, then closes the old one a moment later so requests
 * already inside it (including the one that asked for the swap) can finish.
 */
export async function switchableCores(
  realDir: string,
  open: (dir: string, switchStore: (target: 'demo' | 'real') => Promise<void>) => Promise<Core>,
  drainMs = 1500,
): Promise<SwitchableCores> {
  const listeners = new Set<(core: Core) => void>();
  const closing = new Set<Promise<void>>();
  let target: 'demo' | 'real' = 'real';
  let switching: Promise<void> | null = null;
  const switchStore = async (to: 'demo' | 'real') => {
    if (switching) await switching;
    if (to === target) return;
    switching = (async () => {
      const next = await open(to === 'demo' ? join(realDir, 'demo') : realDir, switchStore);
      const old = holder.current;
      holder.current = next;
      target = to;
      for (const l of listeners) l(next);
      next.events.emit('demo.switched', { active: to === 'demo' });
      const done = new Promise<void>((ok) => setTimeout(ok, drainMs).unref()).then(() => old.close());
      closing.add(done);
      void done.finally(() => closing.delete(done));
    })();
    try {
      await switching;
    } finally {
      switching = null;
    }
  };
  const holder = {
    current: await open(realDir, switchStore),
    onSwitch(cb: (core: Core) => void) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    async close() {
      await Promise.all([...closing]);
      await holder.current.close();
    },
  };
  return holder;
}
