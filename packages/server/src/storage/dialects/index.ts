import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type SqliteDatabase,
  type SqliteStatement,
  type Transaction,
} from 'kysely';
import type { DB } from '../schema.js';

/** The only place that knows the two engines apart. */
export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

export function dialectOf(databaseUrl: string): DialectName {
  return databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  // WAL lets readers run beside the writer; synchronous=FULL makes every commit durable before we acknowledge.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Distinct SQL texts kept prepared; the app has a few hundred, so the cache only resets on unusual churn. */
const STATEMENT_CACHE_SIZE = 2000;

/**
 * Kysely asks better-sqlite3 to prepare every query anew, which cost about a tenth of the server's CPU on the
 * message path (docs/performance.md). The SQL text of a Kysely query is the same for every execution (values
 * are bound parameters), so prepared statements are cached by text. Safe because Kysely runs one statement at a
 * time on this single connection and the app does not stream results.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SqliteStatement {
      let statement = cache.get(text);
      if (statement === undefined) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        statement = sqlite.prepare(text);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

const INT8_OID = 20;

function openPostgres(url: string): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: {
      // int8 (bigint) holds our millisecond timestamps; they fit a double exactly until the year 287396.
      getTypeParser: ((oid: number) =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : (pg.types.getTypeParser as (id: number) => unknown)(oid)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled connection that the server closes (restart, failover, admin command) emits 'error' on the
  // pool; without a listener that would crash the process. The pool drops the client and the next query
  // opens a fresh connection.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

export function openDatabase(databaseUrl: string): Database {
  if (dialectOf(databaseUrl) === 'sqlite') return openSqlite(databaseUrl.slice('sqlite:'.length));
  return openPostgres(databaseUrl);
}

/**
 * Serialises writers of a chained sequence (the audit log) inside a transaction. SQLite has one writer at a
 * time already; PostgreSQL takes a transaction-scoped advisory lock.
 */
export async function lockSequence(trx: Transaction<DB>, dialect: DialectName, key: number): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
}
