import type { Kysely } from 'kysely';

/**
 * Attachments transport (docs/decisions/0009-attachments.md): resumable uploads and their received chunks,
 * committed blobs, and the links from messages to the blobs they carry. Only ids, sizes and times are stored;
 * the bytes live in the blob store and are opaque (client-encrypted) to the server.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('chunk_size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Moved forward by every received chunk: an upload is abandoned after a day without progress.
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uploads_user_idx').on('uploads').column('user_id').execute();
  await db.schema.createIndex('uploads_conversation_idx').on('uploads').column('conversation_id').execute();
  await db.schema.createIndex('uploads_expiry_idx').on('uploads').column('expires_at').execute();

  await db.schema
    .createTable('upload_chunks')
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('chunk_index', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_chunks_pk', ['upload_id', 'chunk_index'])
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('uploader_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Set at completion and whenever a message references the blob; the garbage collector's grace period
    // counts from here (and the update row-locks the blob against a concurrent collection).
    .addColumn('touched_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('blobs_uploader_idx').on('blobs').column('uploader_id').execute();
  await db.schema.createIndex('blobs_conversation_idx').on('blobs').column('conversation_id').execute();
  await db.schema.createIndex('blobs_touched_idx').on('blobs').column('touched_at').execute();

  await db.schema
    .createTable('event_attachments')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('blob_id', 'text', (c) => c.notNull())
    // The order the sender listed the attachments in.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_attachments_pk', ['conversation_id', 'seq', 'blob_id'])
    .execute();
  await db.schema
    .createIndex('event_attachments_blob_idx')
    .on('event_attachments')
    .column('blob_id')
    .execute();
}
