import type { Kysely } from 'kysely';
import { isPostgres } from './engine.js';

/**
 * Recovery without anyone online (docs/decisions/0012-recovery.md): each user's passphrase-encrypted backup of
 * their identity and archive keys, and their history archive. Both are ciphertext the server cannot open; the
 * conversation id and seq of an archive entry are in the clear because the server knows them anyway (they are
 * the entry's associated data, so it cannot move one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const bytes = isPostgres(db) ? 'bytea' : 'blob';

  await db.schema
    .createTable('e2ee_backups')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('bytes', bytes, (c) => c.notNull())
    // Grows by one with each replacement; a replacement names the version it replaces (compare-and-set).
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('e2ee_archive')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The primary key is also the index of the only read: one user's entries of one conversation by seq.
    .addPrimaryKeyConstraint('e2ee_archive_pk', ['user_id', 'conversation_id', 'seq'])
    .execute();
}
