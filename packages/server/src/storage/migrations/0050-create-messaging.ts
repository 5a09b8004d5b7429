import { sql, type Kysely } from 'kysely';
import { isPostgres } from './engine.js';

/**
 * The messaging core: conversations (1:1, groups, channels, broadcasts), their members, and one ordered event
 * log per conversation. Payloads are opaque bytes (BLOB on SQLite, bytea on PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const bytes = isPostgres(db) ? 'bytea' : 'blob';

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('description', 'text')
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('join_mode', 'text')
    .addColumn('listed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('password_hash', 'text')
    .addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('leave_allowed', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('scope_kind', 'text')
    .addColumn('scope_id', 'text')
    .addColumn('message_ttl_ms', 'bigint')
    .addColumn('history_visible', 'integer', (c) => c.notNull().defaultTo(0))
    // For 1:1 conversations: "<smaller user id>:<larger user id>", so each pair has exactly one.
    .addColumn('direct_key', 'text', (c) => c.unique())
    .addColumn('head_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversations_kind_idx')
    .on('conversations')
    .columns(['kind', 'listed'])
    .execute();

  await db.schema
    .createTable('conversation_members')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    // The member sees events after this seq (0 when the conversation's history is visible to newcomers).
    .addColumn('visible_from_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('favourite', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('marked_unread', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('conversation_members_pk', ['conversation_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('conversation_members_user_idx')
    .on('conversation_members')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sender_id', 'text')
    .addColumn('sender_device_id', 'text')
    .addColumn('client_message_id', 'text')
    .addColumn('ref_seq', 'bigint')
    .addColumn('thread_root_seq', 'bigint')
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('mentions_all', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payload', bytes)
    .addColumn('system', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    .addColumn('deleted_by_manager', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('events_pk', ['conversation_id', 'seq'])
    // A retried send is stored once: the same sender cannot use a client message id twice in a conversation.
    .addUniqueConstraint('events_client_message_unique', [
      'conversation_id',
      'sender_id',
      'client_message_id',
    ])
    .execute();
  await db.schema
    .createIndex('events_expiry_idx')
    .on('events')
    .column('expires_at')
    .where(sql.ref('expires_at'), 'is not', null)
    .execute();

  await db.schema
    .createTable('event_mentions')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_mentions_pk', ['conversation_id', 'user_id', 'seq'])
    .execute();

  // Per-user opt-out of read receipts ("seen by"): when off, the user neither shows nor sees read positions.
  await db.schema
    .alterTable('users')
    .addColumn('read_receipts', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}
