import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../../../core/db/migrations/index.js';
import type { StoreProfile, User } from '../../../contract/index.js';
import { CliError, requireOpt, str, type CliCommand } from '../types.js';
import { printOr, passwordFromStdin } from '../output.js';

const storeLine = (s: StoreProfile) => `${s.name} — ${s.timezone}${s.address ? ` — ${s.address}` : ''}`;

export const foundationCommands: CliCommand[] = [
  {
    path: ['onboard'],
    summary: 'First-run setup without the UI: create the store and its first admin',
    usage: 'penny onboard --store NAME --timezone TZ [--address A] --username U [--name N] --password-stdin',
    options: {
      store: { type: 'string' },
      timezone: { type: 'string' },
      address: { type: 'string' },
      username: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    async run(ctx, v) {
      if (!v['password-stdin']) throw new CliError('--password-stdin is required (passwords are never taken as arguments)', 2);
      const password = await passwordFromStdin(ctx);
      const username = requireOpt(v, 'username');
      const session = await ctx.call<{ user: User }>('onboarding.complete', {
        store: { name: requireOpt(v, 'store'), timezone: requireOpt(v, 'timezone'), address: str(v.address) ?? '' },
        admin: { username, displayName: str(v.name) ?? username, password },
      });
      printOr(ctx, { user: session.user }, `Store set up; admin "${session.user.username}" created.`);
    },
  },
  {
    path: ['store', 'show'],
    summary: 'Show the store profile',
    usage: 'penny store show [--json]',
    async run(ctx) {
      const s = await ctx.call<StoreProfile>('store.get');
      printOr(ctx, s, storeLine(s));
    },
  },
  {
    path: ['store', 'set'],
    summary: 'Change the store name, time zone or address',
    usage: 'penny store set [--name N] [--timezone TZ] [--address A] [--json]',
    options: { name: { type: 'string' }, timezone: { type: 'string' }, address: { type: 'string' } },
    async run(ctx, v) {
      const s = await ctx.call<StoreProfile>('store.update', { name: str(v.name), timezone: str(v.timezone), address: str(v.address) });
      printOr(ctx, s, `Updated: ${storeLine(s)}`);
    },
  },
  {
    path: ['user', 'add'],
    summary: 'Add a local user (admin, manager or viewer)',
    usage: 'penny user add --role admin|manager|viewer --username U [--name N] --password-stdin [--json]',
    options: { role: { type: 'string' }, username: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    async run(ctx, v) {
      if (!v['password-stdin']) throw new CliError('--password-stdin is required (passwords are never taken as arguments)', 2);
      const password = await passwordFromStdin(ctx);
      const username = requireOpt(v, 'username');
      const u = await ctx.call<User>('users.create', { role: requireOpt(v, 'role'), username, displayName: str(v.name) ?? username, password });
      printOr(ctx, u, `Added ${u.role} "${u.username}" (id ${u.id}).`);
    },
  },
  {
    path: ['user', 'list'],
    summary: 'List local users',
    usage: 'penny user list [--json]',
    async run(ctx) {
      const users = await ctx.call<User[]>('users.list');
      printOr(ctx, users, users.map((u) => `${u.id}\t${u.username}\t${u.role}${u.disabled ? '\t(disabled)' : ''}`).join('\n'));
    },
  },
  {
    path: ['settings', 'get'],
    summary: 'Show a setting (secrets show only whether they are set)',
    usage: 'penny settings get KEY [--json]',
    positionals: true,
    async run(ctx, _v, pos) {
      if (pos.length !== 1) throw new CliError('usage: penny settings get KEY', 2);
      const e = await ctx.call<{ key: string; value: unknown; secret: boolean; isSet: boolean }>('settings.get', { key: pos[0] });
      printOr(ctx, e, e.secret ? `${e.key} = ${e.isSet ? '(secret, set)' : '(not set)'}` : `${e.key} = ${e.isSet ? JSON.stringify(e.value) : '(not set)'}`);
    },
  },
  {
    path: ['settings', 'set'],
    summary: 'Set a setting (give an empty VALUE to clear it)',
    usage: 'penny settings set KEY VALUE [--json]',
    positionals: true,
    async run(ctx, _v, pos) {
      if (pos.length !== 2) throw new CliError('usage: penny settings set KEY VALUE', 2);
      const e = await ctx.call<{ key: string; secret: boolean; value: unknown }>('settings.set', { key: pos[0], value: pos[1] === '' ? null : pos[1] });
      printOr(ctx, e, e.secret ? `${e.key} set (secret)` : `${e.key} = ${JSON.stringify(e.value)}`);
    },
  },
  {
    path: ['db', 'migrate'],
    summary: 'Bring the database schema up to date',
    usage: 'penny db migrate [--json]',
    async run(ctx) {
      await ctx.core(); // opening the core migrates
      const version = MIGRATIONS.at(-1)?.version ?? 0;
      printOr(ctx, { version }, `Database is at schema ${version}.`);
    },
  },
  {
    path: ['db', 'version'],
    summary: 'Show the schema version of the database and the newest this Penny knows',
    usage: 'penny db version [--json]',
    async run(ctx) {
      const file = join(ctx.dataDir, 'penny.db');
      const supported = MIGRATIONS.at(-1)?.version ?? 0;
      let version = 0;
      if (existsSync(file)) {
        const db = new Database(file, { readonly: true });
        version = db.pragma('user_version', { simple: true }) as number;
        db.close();
      }
      printOr(ctx, { file, version, supported }, `${file}: schema ${version} (this Penny supports up to ${supported})`);
    },
  },
];
