import { messages as pgMessages, protocol, type PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

const { serialize } = protocol;

/**
 * PGlite is one connection in this process. Kysely may ask for several at once (concurrent
 * requests, transactions), so connections are handed out one at a time: a transaction holds the
 * connection until it commits, and nothing else interleaves statements into it.
 */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

/** How many statements stay prepared on the session; the least recently used is closed beyond that. */
const MAX_PREPARED = 256;

interface Prepared {
  name: string;
  paramTypes: number[];
}

/**
 * Runs each distinct SQL text as a named prepared statement, parsed and described once. PGlite's
 * own query() parses, analyses and plans every statement each time; on the case intake that was
 * half the database time. Bind, execute and sync then go to PGlite in one call.
 */
class PGliteConnection implements DatabaseConnection {
  readonly #prepared = new Map<string, Prepared>();
  #nextName = 0;
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(cq: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.#run<R>(cq);
    } catch (err) {
      // A schema change after a statement was prepared can alter its result columns; PostgreSQL
      // then refuses the old plan. Prepare it again once.
      if ((err as { code?: string }).code !== '0A000' || !this.#prepared.has(cq.sql)) throw err;
      await this.#forget(cq.sql);
      return this.#run<R>(cq);
    }
  }

  async #run<R>(cq: CompiledQuery): Promise<QueryResult<R>> {
    const st = await this.#prepare(cq.sql);
    const values = cq.parameters.map((v, i) => {
      if (v === null || v === undefined) return null;
      const toText = this.pg.serializers[st.paramTypes[i]!];
      return toText ? toText(v) : String(v);
    });
    const { messages } = await this.pg.execProtocol(
      concat([serialize.bind({ statement: st.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
    );
    return this.#result<R>(messages);
  }

  async #prepare(text: string): Promise<Prepared> {
    const hit = this.#prepared.get(text);
    if (hit) {
      this.#prepared.delete(text);
      this.#prepared.set(text, hit);
      return hit;
    }
    const name = `k${++this.#nextName}`;
    const { messages } = await this.pg.execProtocol(concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]));
    const params = messages.find((m): m is pgMessages.ParameterDescriptionMessage => m instanceof pgMessages.ParameterDescriptionMessage);
    const st = { name, paramTypes: params?.dataTypeIDs ?? [] };
    this.#prepared.set(text, st);
    if (this.#prepared.size > MAX_PREPARED) await this.#forget(this.#prepared.keys().next().value!);
    return st;
  }

  async #forget(text: string) {
    const st = this.#prepared.get(text);
    this.#prepared.delete(text);
    if (st) await this.pg.execProtocol(concat([serialize.close({ type: 'S', name: st.name }), serialize.sync()]));
  }

  #result<R>(messages: pgMessages.BackendMessage[]): QueryResult<R> {
    let fields: { name: string; dataTypeID: number }[] = [];
    const rows: R[] = [];
    let numAffectedRows: bigint | undefined;
    for (const m of messages) {
      if (m instanceof pgMessages.RowDescriptionMessage) {
        fields = m.fields;
      } else if (m instanceof pgMessages.DataRowMessage) {
        const row: Record<string, unknown> = {};
        m.fields.forEach((v, i) => {
          const f = fields[i]!;
          const parse = this.pg.parsers[f.dataTypeID];
          row[f.name] = v === null ? null : parse ? parse(v, f.dataTypeID) : v;
        });
        rows.push(row as R);
      } else if (m instanceof pgMessages.CommandCompleteMessage) {
        // "INSERT 0 n", "UPDATE n", "DELETE n", "MERGE n": the last word is the row count.
        const count = /^(?:INSERT \d+|UPDATE|DELETE|MERGE|COPY) (\d+)$/.exec(m.text);
        if (count) numAffectedRows = BigInt(count[1]!);
      }
    }
    return { rows, numAffectedRows };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

class PGliteDriver implements Driver {
  readonly #mutex = new Mutex();
  readonly #releases = new Map<DatabaseConnection, () => void>();
  readonly #conn: PGliteConnection;
  constructor(private readonly pg: PGlite) {
    this.#conn = new PGliteConnection(pg);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.acquire();
    this.#releases.set(this.#conn, release);
    return this.#conn;
  }
  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const release = this.#releases.get(conn);
    this.#releases.delete(conn);
    release?.();
  }
  async destroy(): Promise<void> {
    await this.pg.close();
  }
}

/** A Kysely dialect over an already-open PGlite instance; destroying the Kysely closes PGlite. */
export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGlite) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pg);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
