import type { OutputOf } from '../../../contract/index.js';
import type { CliCommand } from '../types.js';

export const demoCliCommands: CliCommand[] = [
  {
    path: ['demo', 'load'],
    summary: 'Build the demo store (a generated day, two cameras, clips) in <data-dir>/demo',
    usage: 'penny demo load [--data-dir DIR] [--fresh] [--json]',
    options: { fresh: { type: 'boolean' } },
    async run(ctx, v) {
      const core = await ctx.core();
      const off = ctx.json ? () => {} : core.events.subscribe((name, payload) => {
        if (name === 'demo.progress') {
          const p = payload as { step: string; done: number; total: number };
          ctx.err(`[${p.done}/${p.total}] ${p.step}`);
        }
      });
      try {
        const r = await ctx.call<OutputOf<'demo.load'>>('demo.load', { fresh: !!v.fresh });
        if (ctx.json) ctx.out(JSON.stringify(r, null, 2));
        else if (r.ms === 0) ctx.out(`The demo store is already built in ${r.dataDir} (use --fresh to rebuild). Sign in as ${r.credentials.username} / ${r.credentials.password}.`);
        else
          ctx.out(
            `Demo store built in ${r.dataDir} in ${(r.ms / 1000).toFixed(1)} s: ${r.transactions} transactions, ${r.exceptions} exceptions, ${r.cameras} cameras, ${r.clips} clips.\n` +
              `Open it with "Load demo store" in the app, or: penny --data-dir ${r.dataDir} serve. Sign in as ${r.credentials.username} / ${r.credentials.password}.`,
          );
      } finally {
        off();
      }
    },
  },
];
