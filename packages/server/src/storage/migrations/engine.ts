import { PostgresAdapter, type Kysely } from 'kysely';

/** For the few migrations whose SQL must differ by engine (STYLE.md §6: branch visibly). */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
