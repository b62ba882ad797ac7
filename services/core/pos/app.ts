import { PennyError } from '../../contract/errors.js';
import { ColumnMapping } from '../../contract/commands/pos.js';
import type { AppDeps, DomainApp } from '../app.js';
import { systemCtx } from '../context.js';
import { readSetting } from '../settings/app.js';
import { isOnboarded, readStore } from '../store/app.js';
import type { RulesApp } from '../rules/app.js';
import { MODISOFT_MAPPING, mappingFitsHeaders } from './formats/mapping.js';
import { Importer } from './importer.js';
import { TXN_SELECT, getImport, listImports, parseCursor, toTransaction, transactionDetail, type TxnRow } from './read.js';
import { openSource } from './source.js';
import { WallClockResolver } from './time.js';
import { FolderImporter } from './watch.js';

interface MappingRow {
  name: string;
  source: string;
  mapping: string;
  updated_at: number;
}

export interface PosApp extends DomainApp {
  folder: FolderImporter;
}

export function createPosApp(d: AppDeps, rules: Pick<RulesApp, 'runRules'>): PosApp {
  const { db, clock } = d;
  const importer = new Importer(d, (since, until, actor) => rules.runRules(since, until, actor));

  const presets = () =>
    (db.prepare('SELECT * FROM pos_mapping ORDER BY name').all() as MappingRow[]).map((r) => ({
      name: r.name,
      source: r.source,
      mapping: ColumnMapping.parse(JSON.parse(r.mapping)),
      updatedAt: r.updated_at,
    }));

  const preset = (name: string) => {
    if (name === 'modisoft') return { name, mapping: MODISOFT_MAPPING };
    const row = db.prepare('SELECT * FROM pos_mapping WHERE name = ?').get(name) as MappingRow | undefined;
    if (!row) throw new PennyError('not_found', `There is no mapping preset "${name}". Save one with pos.mappings.save (or \`penny\` preview) first.`, { field: 'mapping' });
    return { name, mapping: ColumnMapping.parse(JSON.parse(row.mapping)) };
  };

  const defaultRegister = (given?: string) => given || readSetting<string>(db, d.secrets, 'pos.defaultRegister') || '1';

  const folder = new FolderImporter({
    logger: d.logger,
    importFile: (path) => {
      const m = readSetting<string>(db, d.secrets, 'pos.defaultMapping');
      return importer.run({ path, register: defaultRegister(), mapping: m ? preset(m) : undefined, actor: systemCtx('watch-folder').actor });
    },
  });
  const startFolder = () =>
    folder.start(
      readSetting<string>(db, d.secrets, 'pos.watchFolder'),
      readSetting<string>(db, d.secrets, 'pos.importSchedule'),
      isOnboarded(db) ? readStore(db).timezone : undefined,
    );
  let restarting: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | null = null;

  return {
    folder,
    async start() {
      unsubscribe = d.events.subscribe((name, payload) => {
        const key = (payload as { key?: string }).key;
        if ((name === 'setting.changed' && (key === 'pos.watchFolder' || key === 'pos.importSchedule')) || name === 'store.updated') {
          restarting = restarting.then(startFolder).catch((err) => d.logger.warn('pos watch folder restart failed', { error: String(err) }));
        }
      });
      await startFolder();
    },
    async stop() {
      unsubscribe?.();
      await restarting;
      await folder.stop();
      await importer.close();
    },
    handlers: {
      'pos.import': (input, ctx) =>
        importer.run({
          path: input.path,
          format: input.format,
          mapping: input.mapping ? preset(input.mapping) : undefined,
          register: defaultRegister(input.register),
          jobId: input.jobId,
          actor: ctx.actor,
        }),

      'pos.preview': async (input) => {
        const tz = readStore(db).timezone;
        const mapping = input.mapping === undefined ? undefined : typeof input.mapping === 'string' ? preset(input.mapping) : { name: null, mapping: input.mapping };
        const src = await openSource({ path: input.path, format: input.format, mapping, defaultRegister: defaultRegister(), resolver: new WallClockResolver(tz) });
        const rows = [];
        read: for await (const batch of src.items) {
          for (const it of batch) {
            if (it.ok) {
              const t = it.txn;
              rows.push({ row: rows.length + 1, ok: true, type: t.type, rawType: t.rawType, startedAt: t.startedAt, wallTime: t.wallTime, amountCents: t.amountCents, register: t.register, employee: t.employee });
            } else rows.push({ row: it.rejection.row, ok: false, error: `${it.rejection.field}: ${it.rejection.message}` });
            if (rows.length >= input.rows) break read;
          }
        }
        await src.items.return(undefined);
        const matching = src.headers.length ? presets().filter((p) => mappingFitsHeaders(p.mapping, src.headers)).map((p) => p.name) : [];
        return { format: src.format, headerRow: src.headerRow, headers: src.headers, mapping: src.mapping, matchingPresets: matching, rows };
      },

      'pos.mappings.list': () => presets(),

      'pos.mappings.save': ({ name, source, mapping }, ctx) =>
        db.transaction(() => {
          if (name === 'modisoft') throw new PennyError('conflict', '"modisoft" is the built-in Modisoft mapping; choose another name.', { field: 'name' });
          db.prepare(
            'INSERT INTO pos_mapping (name, source, mapping, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET source = excluded.source, mapping = excluded.mapping, updated_at = excluded.updated_at',
          ).run(name, source, JSON.stringify(mapping), clock.now());
          d.audit(ctx.actor, { action: 'pos.mapping.save', entity: 'pos_mapping', entityId: name, details: { source, mapping } });
          return presets().find((p) => p.name === name)!;
        })(),

      'pos.mappings.remove': ({ name }, ctx) =>
        db.transaction(() => {
          if (db.prepare('DELETE FROM pos_mapping WHERE name = ?').run(name).changes === 0) throw new PennyError('not_found', `There is no mapping preset "${name}".`);
          d.audit(ctx.actor, { action: 'pos.mapping.remove', entity: 'pos_mapping', entityId: name });
          return { ok: true as const };
        })(),

      'imports.list': ({ limit, beforeId }) => listImports(db, limit, beforeId),
      'imports.get': ({ id }) => getImport(db, id),

      'transactions.list': (q) => {
        const where: string[] = [];
        const args: unknown[] = [];
        const add = (sql: string, ...vals: unknown[]) => {
          where.push(sql);
          args.push(...vals);
        };
        if (q.type) add('t.type = ?', q.type);
        if (q.since !== undefined) add('t.started_at >= ?', q.since);
        if (q.until !== undefined) add('t.started_at <= ?', q.until);
        if (q.register) add('t.register_id = (SELECT id FROM register WHERE code = ?)', q.register);
        if (q.employee) add('t.employee_id = (SELECT id FROM employee WHERE pos_id = ?)', q.employee);
        const cur = parseCursor(q.cursor);
        if (cur) add('(t.started_at < ? OR (t.started_at = ? AND t.id < ?))', cur[0], cur[0], cur[1]);
        const rows = db.prepare(`${TXN_SELECT} WHERE ${where.length ? where.join(' AND ') : '1'} ORDER BY t.started_at DESC, t.id DESC LIMIT ?`).all(...args, q.limit + 1) as TxnRow[];
        const items = rows.slice(0, q.limit).map(toTransaction);
        const last = items.at(-1);
        return { items, nextCursor: rows.length > q.limit && last ? `${last.startedAt}:${last.id}` : null };
      },

      'transactions.get': ({ id }) => transactionDetail(db, id),
    },
  };
}


