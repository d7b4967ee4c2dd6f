import type { Knex } from 'knex';

/**
 * A statement as SQL text with `?` placeholders, in the order of the values. With a name its text
 * never changes, and on PostgreSQL it runs as a named prepared statement: parsed and planned once
 * per connection instead of on every call. Without one (a text that varies, such as a batch insert
 * of any length) it runs unnamed.
 */
export class PreparedStatement {
  /** The SQL for pg, with `$1, $2…` for the placeholders. */
  readonly pgText: string;

  constructor(
    /** Unique in the process, as pg keys each connection's statements by name; version it when the SQL changes. */
    readonly name: string | null,
    readonly sql: string,
  ) {
    let n = 0;
    this.pgText = sql.replace(/\?/g, () => {
      n += 1;
      return `$${n}`;
    });
  }
}

interface QueryConfig {
  name?: string;
  text: string;
  values: readonly unknown[];
}

/**
 * A pool of connections of the prepared reads' own (a `pg.Pool`), beside knex's. Its owner (whoever
 * made it) ends it. On a failed query pg.Pool drops the connection, so a connection whose answer
 * never came is never handed out again.
 */
export interface StatementPool {
  query(config: QueryConfig): Promise<{ rows: unknown[] }>;
}

export interface StatementOptions {
  /**
   * Where reads go outside a transaction (DATABASE_READ_POOL_MAX); without one they take a
   * connection from knex's pool. Taking one from knex's pool (tarn) costs two timers and about
   * fifteen promises per query, from a pg.Pool one callback (docs/decisions/hot-reads-in-front-of-koa.md).
   */
  readPool?: StatementPool | null;
  /**
   * False behind a transaction-mode pooler (PgBouncer before 1.21, most managed poolers), where a
   * statement prepared on one server connection is missing, or already there, on the next one the
   * pooler hands out: every statement then runs unnamed, parsed and planned on every call.
   */
  namedStatements?: boolean;
}

/**
 * Runs a repository's statements on its knex or transaction. On PostgreSQL they go straight to a
 * pg connection (from the read pool, or from knex's pool so that its timeouts and validation still
 * apply), without knex's query building and result processing: the rows keep the names the SQL
 * gives them. On PGlite, which has no named statements, a statement is a plain `knex.raw`.
 * Inside a transaction every statement runs on the transaction's connection, read pool or not.
 */
export class StatementRunner {
  private readonly readPool: StatementPool | null;
  private readonly named: boolean;

  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly options: StatementOptions = {},
    /** The one connection every statement runs on: a transaction's (see `transaction`). */
    private readonly connection: StatementPool | null = null,
  ) {
    this.readPool = db.isTransaction || connection ? null : (options.readPool ?? null);
    this.named = options.namedStatements !== false;
  }

  /**
   * Runs `work` in a transaction, its statements on the runner it is given; inside a transaction
   * already, in that one. On PostgreSQL the transaction is BEGIN … COMMIT on a connection taken
   * from knex's pool, as knex's own would be, without the query builder's transaction object (a
   * new knex instance per transaction). A connection whose statement failed is not handed out
   * again: it is destroyed, which ends its transaction. After any other failure (the work's own,
   * a taken email) the transaction is rolled back and the connection kept.
   */
  async transaction<T>(work: (statements: StatementRunner) => Promise<T>): Promise<T> {
    if (this.db.isTransaction || this.connection) return work(this);
    if (!isPg(this.db)) return this.db.transaction((trx) => work(this.fork(trx, null)));
    const client = this.db.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> };
    const raw = (await client.acquireConnection()) as StatementPool & { end(): Promise<void> };
    let broken = false;
    const connection: StatementPool = {
      query: (config) =>
        raw.query(config).catch((error: unknown) => {
          broken = true;
          throw error;
        }),
    };
    try {
      await connection.query({ text: 'BEGIN', values: [] });
      const result = await work(this.fork(this.db, connection));
      await connection.query({ text: 'COMMIT', values: [] });
      return result;
    } catch (error) {
      if (!broken) await connection.query({ text: 'ROLLBACK', values: [] }).catch(() => {});
      throw error;
    } finally {
      if (broken) await raw.end().catch(() => {});
      await client.releaseConnection(raw);
    }
  }

  /** A runner of this one's class and options (a subclass's error handling included) on a transaction or a connection. */
  private fork(db: Knex | Knex.Transaction, connection: StatementPool | null): StatementRunner {
    const Runner = this.constructor as new (db: Knex | Knex.Transaction, options: StatementOptions, connection: StatementPool | null) => StatementRunner;
    return new Runner(db, this.options, connection);
  }

  /** A read: on the read pool when there is one. */
  read<Row>(statement: PreparedStatement, values: readonly unknown[]): Promise<Row[]> {
    return this.run(statement, values, this.readPool);
  }

  /** A write: always on knex's connection (a transaction's inside one), never on the read pool. */
  write<Row>(statement: PreparedStatement, values: readonly unknown[]): Promise<Row[]> {
    return this.run(statement, values, null);
  }

  private async run<Row>(statement: PreparedStatement, values: readonly unknown[], pool: StatementPool | null): Promise<Row[]> {
    if (!isPg(this.db)) {
      const result = (await this.db.raw(statement.sql, values as Knex.RawBinding[])) as { rows: Row[] };
      return result.rows;
    }
    const query: QueryConfig =
      this.named && statement.name !== null ? { name: statement.name, text: statement.pgText, values } : { text: statement.pgText, values };
    if (this.connection) return (await this.connection.query(query)).rows as Row[];
    if (pool) return (await pool.query(query)).rows as Row[];
    const connection = (await this.db.client.acquireConnection()) as StatementPool;
    try {
      return (await connection.query(query)).rows as Row[];
    } finally {
      await this.db.client.releaseConnection(connection);
    }
  }
}

const isPg = (db: Knex | Knex.Transaction) => (db.client.config as Knex.Config).client === 'pg';
