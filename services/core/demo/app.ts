import { join } from 'node:path';
import { PennyError } from '../../contract/errors.js';
import type { AppDeps, DomainApp } from '../app.js';
import type { Ctx } from '../context.js';
import type { Core } from '../index.js';
import { isOnboarded, readStore } from '../store/app.js';
import { buildDemo, demoAvailable, readMarker } from './build.js';

export interface DemoAppOptions {
  openCore(dir: string): Promise<Core>;
  switchStore?: (target: 'demo' | 'real') => Promise<void>;
}

/**
 * The demo store. The real core builds it in <dataDir>/demo and asks the transport to switch; the
 * demo core (recognised by its marker file) only knows how to switch back.
 */
export function createDemoApp(d: AppDeps, o: DemoAppOptions): DomainApp {
  const active = readMarker(d.dataDir) !== null;
  const demoDir = join(d.dataDir, 'demo');
  let building: Promise<unknown> | null = null;

  // Before onboarding anyone may try the demo (the onboarding screen offers it); afterwards only an admin.
  const allowed = (ctx: Ctx) => {
    if (!isOnboarded(d.db)) return;
    if (ctx.actor.kind === 'system' || (ctx.actor.kind === 'user' && ctx.actor.role === 'admin')) return;
    throw new PennyError(ctx.actor.kind === 'anonymous' ? 'unauthenticated' : 'forbidden', 'Only an admin can load or open the demo store.');
  };
  const notInsideDemo = () => {
    if (active) throw new PennyError('conflict', 'This is already the demo store. Use "Back to my store" first.');
  };
  const build = async (fresh: boolean) => {
    if (building) throw new PennyError('conflict', 'The demo store is already being built; wait for it to finish.');
    if (!fresh && demoAvailable(demoDir)) return null;
    const job = buildDemo({
      dir: demoDir,
      now: d.clock.now(),
      ffmpegPath: d.ffmpegPath,
      openCore: o.openCore,
      progress: (step, done, total) => d.events.emit('demo.progress', { step, done, total }),
    });
    building = job;
    try {
      const report = await job;
      d.logger.info('demo store built', { ms: report.ms, exceptions: report.exceptions, clips: report.clips });
      return report;
    } finally {
      building = null;
    }
  };
  const status = () => {
    const marker = active ? readMarker(d.dataDir) : readMarker(demoDir);
    return {
      active,
      available: active || demoAvailable(demoDir),
      switchable: !!o.switchStore,
      credentials: marker?.credentials ?? null,
      storeName: marker?.storeName ?? (active && isOnboarded(d.db) ? readStore(d.db).name : null),
    };
  };

  return {
    handlers: {
      'demo.status': () => status(),

      'demo.load': async (input, ctx) => {
        allowed(ctx);
        notInsideDemo();
        const report = await build(input.fresh);
        if (report) return report;
        const marker = readMarker(demoDir)!;
        return { dataDir: demoDir, credentials: marker.credentials, transactions: 0, exceptions: 0, cameras: 0, segments: 0, clips: 0, ms: 0 };
      },

      'demo.enter': async (_input, ctx) => {
        allowed(ctx);
        notInsideDemo();
        if (!o.switchStore) throw new PennyError('unavailable', 'Switching to the demo store works in the station app (penny serve). From the CLI use: penny demo load, then penny --data-dir <dataDir>/demo …');
        await build(false);
        if (isOnboarded(d.db)) d.audit(ctx.actor, { action: 'demo.enter', entity: 'store', entityId: 1 });
        await o.switchStore('demo');
        return { ...status(), active: true };
      },

      'demo.exit': async () => {
        if (!active) return { ok: true as const };
        if (!o.switchStore) throw new PennyError('unavailable', 'This process serves only the demo store; start Penny on your own data folder.');
        await o.switchStore('real');
        return { ok: true as const };
      },
    },
  };
}
