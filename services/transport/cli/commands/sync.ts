import type { SyncStatus } from '../../../contract/commands/sync.js';
import { CliError, requireOpt, str, type CliCommand, type CliContext } from '../types.js';

const when = (t: number | null) => (t ? new Date(t).toISOString() : 'never');
const print = (ctx: CliContext, value: unknown, human: string) => ctx.out(ctx.json ? JSON.stringify(value, null, 2) : human);
const statusLines = (s: SyncStatus) =>
  [s.message, `Pending cases: ${s.pending}`, `Last push: ${when(s.lastPushAt)}`, `Last pull: ${when(s.lastPullAt)}`, ...(s.lastError ? [`Last error: ${s.lastError}`] : [])].join('\n');

export const syncCliCommands: CliCommand[] = [
  {
    path: ['sync', 'pair'],
    summary: 'Pair this station with a Penny Network using a one-time code',
    usage: 'penny sync pair --url URL --code CODE [--name STATION] [--json]',
    options: { url: { type: 'string' }, code: { type: 'string' }, name: { type: 'string' } },
    async run(ctx, v) {
      const s = await ctx.call<SyncStatus>('sync.pair', { url: requireOpt(v, 'url'), code: requireOpt(v, 'code'), stationName: str(v.name) });
      print(ctx, s, `Paired: station ${s.stationId} of store ${s.storeId}.\n${statusLines(s)}`);
    },
  },
  {
    path: ['sync', 'status'],
    summary: 'Pairing, connection, last sync and pending cases',
    usage: 'penny sync status [--json]',
    async run(ctx) {
      const s = await ctx.call<SyncStatus>('sync.status');
      print(ctx, s, statusLines(s));
    },
  },
  {
    path: ['sync', 'run'],
    summary: 'Sync now: push waiting cases and pull network feeds',
    usage: 'penny sync run [--push] [--pull] [--json]',
    options: { push: { type: 'boolean' }, pull: { type: 'boolean' } },
    async run(ctx, v) {
      const input: { push?: boolean; pull?: boolean } = {};
      if (v.push) input.push = true;
      if (v.pull) input.pull = true;
      const r = await ctx.call<{ pushed: number; failed: number; errors: string[]; pending: number; connection: string; pulled: Record<string, unknown> }>('sync.run', input);
      print(ctx, r, [`Sent ${r.pushed} case(s); ${r.failed} failed; ${r.pending} waiting. Connection: ${r.connection}.`, ...r.errors.map((e) => `  ${e}`)].join('\n'));
      if (r.failed > 0) throw new CliError(`${r.failed} case(s) could not be sent (see above)`, 1);
    },
  },
];
