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
    options: StatementOptions = {},
  ) {
    this.readPool = db.isTransaction ? null : (options.readPool ?? null);
    this.named = options.namedStatements !== false;
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
