import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PennyError } from '../../../contract/errors.js';
import { createNetworkServer, type NetworkServerOptions } from '../../../network/server/index.js';
import { adminOps, type AdminOp } from '../../../network/server/admin.js';
import { acquireLock, readLock, updateLock } from '../../../network/server/lock.js';
import { defaultDataDir } from '../../paths.js';
import { CliError, intOpt, requireOpt, str, type CliCommand, type CliContext, type Values } from '../types.js';

const EXIT: Record<string, number> = { invalid_input: 3, not_found: 4, conflict: 5, forbidden: 6, unauthenticated: 6, unavailable: 7 };
const dbOptions = { 'database-url': { type: 'string' as const } };

/** `--data-dir` given → that folder; otherwise a `network` folder beside the station's data. */
function networkDir(ctx: CliContext): string {
  return ctx.dataDir === defaultDataDir(ctx.env) ? join(ctx.dataDir, 'network') : ctx.dataDir;
}
const databaseUrl = (ctx: CliContext, v: Values) => str(v['database-url']) ?? (ctx.env.DATABASE_URL || undefined);

function print(ctx: CliContext, value: unknown, human: string) {
  ctx.out(ctx.json ? JSON.stringify(value, null, 2) : human);
}

/**
 * Runs an admin operation: through the running server's admin endpoint when one holds the data
 * dir, else by opening the database here (holding the lock meanwhile). Same result either way.
 */
async function runAdmin<T>(ctx: CliContext, v: Values, op: AdminOp, input: unknown): Promise<T> {
  const url = databaseUrl(ctx, v);
  const dir = networkDir(ctx);
  try {
    const held = url ? undefined : readLock(dir);
    if (held) {
      if (!held.adminUrl || !held.adminToken) throw new PennyError('conflict', `the network data dir is busy (process ${held.pid}); try again in a moment`);
      const r = await fetch(`${held.adminUrl}/_admin/${op}`, { method: 'POST', headers: { authorization: `Bearer ${held.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
      const body = (await r.json()) as { value?: T; error?: { code: string; message: string } };
      if (body.error) throw new PennyError(body.error.code as 'conflict', body.error.message);
      return body.value as T;
    }
    const release = url ? () => {} : acquireLock(dir, { adminUrl: null, adminToken: null });
    const server = await createNetworkServer({ dataDir: url ? undefined : dir, storageDir: join(dir, 'objects'), databaseUrl: url, secret: 'cli-admin-only-never-signs-links' }).catch((e) => {
      release();
      throw e;
    });
    try {
      return (await (adminOps[op] as (n: typeof server.net, i: unknown) => Promise<T>)(server.net, input));
    } finally {
      await server.close();
      release();
    }
  } catch (err) {
    if (err instanceof PennyError) throw new CliError(err.message, EXIT[err.code] ?? 1);
    throw err;
  }
}

export const networkCommands: CliCommand[] = [
  {
    path: ['network', 'serve'],
    summary: 'Run the Penny Network server (API, Ops console, Resolution portal)',
    usage: 'penny network serve [--port N] [--host H] [--data-dir DIR] [--database-url URL] [--public-url URL]   (env: PENNY_NETWORK_SECRET, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)',
    options: { port: { type: 'string' }, host: { type: 'string' }, 'public-url': { type: 'string' }, ...dbOptions },
    async run(ctx, v) {
      const secret = ctx.env.PENNY_NETWORK_SECRET;
      if (!secret || secret.length < 16) throw new CliError('set PENNY_NETWORK_SECRET (at least 16 characters) to sign evidence links', 2);
      const url = databaseUrl(ctx, v);
      const dir = networkDir(ctx);
      const adminToken = randomBytes(24).toString('base64url');
      let release = () => {};
      try {
        if (!url) release = acquireLock(dir, { adminUrl: null, adminToken: null });
        const stripe: NetworkServerOptions['stripe'] =
          ctx.env.STRIPE_SECRET_KEY && ctx.env.STRIPE_WEBHOOK_SECRET ? { secretKey: ctx.env.STRIPE_SECRET_KEY, webhookSecret: ctx.env.STRIPE_WEBHOOK_SECRET } : undefined;
        if (!stripe) ctx.err('STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET are not set: Pay now is disabled.');
        const server = await createNetworkServer({
          dataDir: url ? undefined : dir,
          storageDir: join(dir, 'objects'),
          databaseUrl: url,
          secret,
          stripe,
          publicUrl: str(v['public-url']) ?? ctx.env.PENNY_NETWORK_PUBLIC_URL,
          adminToken,
          version: ctx.version,
          logger: { info: (m, f) => ctx.err(JSON.stringify({ level: 'info', msg: m, ...f })), error: (m, f) => ctx.err(JSON.stringify({ level: 'error', msg: m, ...f })) },
        });
        const listening = await server.listen(intOpt(v, 'port') ?? 8787, str(v.host) ?? '127.0.0.1');
        const adminUrl = listening.replace('0.0.0.0', '127.0.0.1');
        if (!url) updateLock(dir, { adminUrl, adminToken });
        ctx.out(ctx.json ? JSON.stringify({ url: listening, db: server.database.kind, vectorSearch: server.database.vectorSearch }) : `Penny Network is running at ${listening} (${server.database.kind}, vector search: ${server.database.vectorSearch})`);
        await new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        await server.close();
        return 0;
      } catch (err) {
        if (err instanceof PennyError) throw new CliError(err.message, EXIT[err.code] ?? 1);
        throw err;
      } finally {
        release();
      }
    },
  },
  {
    path: ['network', 'ops-user', 'add'],
    summary: 'Add a Penny Ops reviewer account',
    usage: 'penny network ops-user add --email E --password-stdin [--data-dir DIR] [--database-url URL] [--json]',
    options: { email: { type: 'string' }, 'password-stdin': { type: 'boolean' }, ...dbOptions },
    async run(ctx, v) {
      if (!v['password-stdin']) throw new CliError('--password-stdin is required (passwords are never taken as arguments)', 2);
      const password = (await ctx.readStdin()).replace(/\r?\n$/, '');
      if (!password) throw new CliError('no password on standard input', 2);
      const u = await runAdmin<{ id: string; email: string }>(ctx, v, 'opsUserAdd', { email: requireOpt(v, 'email'), password });
      print(ctx, u, `Added Ops user ${u.email} (id ${u.id}).`);
    },
  },
  {
    path: ['network', 'store', 'add'],
    summary: 'Add a store to the network (the region is created if new)',
    usage: 'penny network store add --name N --region R [--data-dir DIR] [--database-url URL] [--json]',
    options: { name: { type: 'string' }, region: { type: 'string' }, ...dbOptions },
    async run(ctx, v) {
      const s = await runAdmin<{ id: string; name: string; regionName: string }>(ctx, v, 'storeAdd', { name: requireOpt(v, 'name'), region: requireOpt(v, 'region') });
      print(ctx, s, `Added store "${s.name}" in ${s.regionName} (id ${s.id}).`);
    },
  },
  {
    path: ['network', 'pair-code'],
    summary: 'Create a one-time code to pair a station with a store (valid 24 hours)',
    usage: 'penny network pair-code --store ID [--data-dir DIR] [--database-url URL] [--json]',
    options: { store: { type: 'string' }, ...dbOptions },
    async run(ctx, v) {
      const c = await runAdmin<{ code: string; expiresAt: number }>(ctx, v, 'pairCode', { storeId: requireOpt(v, 'store') });
      print(ctx, c, `Pairing code: ${c.code} (valid until ${new Date(c.expiresAt).toISOString()})`);
    },
  },
  {
    path: ['network', 'cases', 'list'],
    summary: 'List network cases, newest first',
    usage: 'penny network cases list [--status receiving|pending_review|approved|rejected] [--data-dir DIR] [--database-url URL] [--json]',
    options: { status: { type: 'string' }, ...dbOptions },
    async run(ctx, v) {
      const rows = await runAdmin<{ id: string; storeName: string; status: string; amountCents: number }[]>(ctx, v, 'casesList', { status: str(v.status) });
      print(ctx, rows, rows.length ? rows.map((r) => `${r.id}  ${r.status.padEnd(14)}  ${(r.amountCents / 100).toFixed(2).padStart(9)}  ${r.storeName}`).join('\n') : 'No cases.');
    },
  },
];
