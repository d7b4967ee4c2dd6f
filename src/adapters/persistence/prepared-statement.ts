import type { Knex } from 'knex';

/**
 * A read whose SQL text never changes, run as a named prepared statement: PostgreSQL parses and
 * plans it once per connection instead of on every call. Write the SQL with `?` placeholders,
 * in the order of the values.
 *
 * On PostgreSQL it goes straight to a pooled pg connection. It is taken from knex's own pool
 * (from the transaction, inside one), so the pool, its timeouts and its validation still apply,
 * but knex's query building and result processing do not run.
 *
 * Measured on `GET /api/contacts/:id`: the same named statement gave 7,232 req/s through
 * `knex.raw(...).options({ name })` and 9,040 req/s straight on the connection. That is the
 * largest single gain in the README's Benchmark section, with the prepared plan itself.
 *
 * Use it for the few hot reads only; everything else goes through knex and Objection. On
 * PGlite, which has no named statements, it is a plain `knex.raw`.
 *
 * Outside a transaction it runs on the knex's read pool when it has one (attachStatementPool,
 * DATABASE_READ_POOL_MAX): a `pg.Pool` beside knex's own pool. Taking a connection from knex's pool
 * (tarn) costs two timers and about fifteen promises per query; from a pg.Pool, one callback.
 * Measured on `GET /api/contacts/:id`: the API's CPU per read 102–108 µs on a read pool of 10
 * connections against 109–114 µs through knex's pool (docs/decisions/hot-reads-in-front-of-koa.md).
 * Inside a transaction it uses the transaction's connection.
 *
 * Behind a transaction-mode pooler (PgBouncer before 1.21, most managed poolers) a named statement
 * prepared on one server connection is missing, or already there, on the next one the pooler
 * hands out. A knex made with `namedStatements(false)` in its config runs the same SQL as an
 * unnamed statement instead: parsed and planned on every call, but tolerated by every pooler.
 */
export class PreparedStatement {
  /** The SQL for pg, with `$1, $2…` for the placeholders. */
  private readonly pgText: string;

  constructor(
    /** Unique in the process, as pg keys each connection's statements by name; version it when the SQL changes. */
    readonly name: string,
    readonly sql: string,
  ) {
    let n = 0;
    this.pgText = sql.replace(/\?/g, () => {
      n += 1;
      return `$${n}`;
    });
  }

  /** The rows as the SQL names them: alias snake_case columns yourself, no key mapping happens. */
  async rows<Row>(db: Knex | Knex.Transaction, values: readonly unknown[]): Promise<Row[]> {
    if (!isPg(db)) {
      const result = (await db.raw(this.sql, values as Knex.RawBinding[])) as { rows: Row[] };
      return result.rows;
    }
    const named = (db.client.config as StatementConfig).namedStatements !== false;
    const query = named ? { name: this.name, text: this.pgText, values } : { text: this.pgText, values };
    // A transaction's client is an object of its own (knex derives it from the knex's), so a
    // statement in a transaction never finds the statement pool and stays on its connection.
    const pool = statementPools.get(db.client);
    if (pool) return (await pool.query(query)).rows as Row[];
    const connection = (await db.client.acquireConnection()) as PgConnection;
    try {
      const result = await connection.query(query);
      return result.rows as Row[];
    } finally {
      await db.client.releaseConnection(connection);
    }
  }
}

interface PgConnection {
  query(config: { name?: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Where the prepared statements of a knex go outside transactions: a pool of connections of their
 * own (a `pg.Pool`). Its owner ends it; on a failed query it drops the connection (pg.Pool's
 * `query` releases the connection with the error), so a connection whose answer never came is
 * never handed out again.
 */
export interface StatementPool {
  query(config: { name?: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

const statementPools = new WeakMap<object, StatementPool>();

/** Runs the prepared statements of `db` outside transactions on `pool` (see PreparedStatement). */
export function attachStatementPool(db: Knex, pool: StatementPool): void {
  statementPools.set(db.client, pool);
}

/** What a knex config may carry for PreparedStatement; read on the knex and on its transactions alike. */
interface StatementConfig {
  namedStatements?: boolean;
}

/**
 * The part of a knex config that tells PreparedStatement whether named statements survive from one
 * call to the next on a connection: false behind a transaction-mode pooler.
 */
export function namedStatements(enabled: boolean): StatementConfig {
  return { namedStatements: enabled };
}

const isPg = (db: Knex | Knex.Transaction) => (db.client.config as Knex.Config).client === 'pg';
