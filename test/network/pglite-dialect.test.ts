import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from '../../services/network/db/pglite-dialect.js';

interface T {
  items: { id: number; name: string; tag?: string };
}

describe('PGlite dialect', () => {
  let db: Kysely<T>;
  beforeAll(async () => {
    db = new Kysely<T>({ dialect: new PGliteDialect(await PGlite.create()) });
    await sql`create table items (id integer primary key, name text not null)`.execute(db);
  });
  afterAll(async () => db?.destroy());

  it('answers a repeated statement with fresh parameters and counts affected rows', async () => {
    for (const [id, name] of [[1, 'one'], [2, 'two'], [3, 'three']] as const) {
      await db.insertInto('items').values({ id, name }).execute();
    }
    const byId = (id: number) => db.selectFrom('items').select('name').where('id', '=', id).executeTakeFirst();
    expect(await byId(2)).toEqual({ name: 'two' });
    expect(await byId(3)).toEqual({ name: 'three' });
    expect(await byId(9)).toBeUndefined();
    const r = await db.updateTable('items').set({ name: 'many' }).where('id', '>', 1).executeTakeFirst();
    expect(r.numUpdatedRows).toBe(2n);
  });

  it('keeps working past the number of statements it keeps prepared', async () => {
    for (let i = 0; i < 300; i++) {
      const r = await sql<{ v: number }>`select ${i}::integer + ${sql.lit(i)} as v`.execute(db);
      expect(r.rows).toEqual([{ v: 2 * i }]);
    }
    expect((await sql<{ v: number }>`select ${5}::integer + ${sql.lit(0)} as v`.execute(db)).rows).toEqual([{ v: 5 }]);
  });

  it('reports PostgreSQL errors with their code, rolls the transaction back, and carries on', async () => {
    const failing = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 10, name: 'ten' }).execute();
      await trx.insertInto('items').values({ id: 10, name: 'again' }).execute();
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(await db.selectFrom('items').select('id').where('id', '=', 10).execute()).toEqual([]);
    expect(await db.selectFrom('items').select('id').where('id', '=', 1).execute()).toEqual([{ id: 1 }]);
  });

  it('prepares a statement again when a schema change alters its result', async () => {
    const all = () => sql<Record<string, unknown>>`select * from items where id = ${1}`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'one' }]);
    await sql`alter table items add column tag text not null default 'x'`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'one', tag: 'x' }]);
  });
});
