import { sql, type Kysely } from 'kysely';

/**
 * History for newcomers (docs/decisions/0016-history-for-newcomers.md): per conversation, whether members may
 * share the messages from before someone joined with them. `off` (the default, and what every existing
 * conversation keeps) leaves earlier messages unreadable to newcomers. The same DDL runs on both engines;
 * SQLite accepts a CHECK on an added column as long as the default satisfies it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('history_for_newcomers', 'text', (c) =>
      c
        .notNull()
        .defaultTo('off')
        .check(sql`history_for_newcomers in ('off', 'on')`),
    )
    .execute();
}
