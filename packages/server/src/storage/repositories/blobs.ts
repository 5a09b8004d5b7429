import type { ExpressionBuilder, Selectable } from 'kysely';
import type { TimestampMs, UserId } from '@enlets/protocol';
import type { BlobRow, DB, EventRow, UploadRow } from '../schema.js';
import type { Db } from './users.js';

/** An open resumable upload. Its id becomes the blob's id once it is complete. */
export interface UploadRecord {
  readonly id: string;
  readonly userId: UserId;
  readonly conversationId: string;
  readonly size: number;
  readonly chunkSize: number;
  readonly createdAt: TimestampMs;
  readonly expiresAt: TimestampMs;
}

/** A committed blob: complete, uploaded by `uploaderId` for `conversationId`. */
export interface BlobRecord {
  readonly id: string;
  readonly uploaderId: UserId;
  readonly conversationId: string;
  readonly size: number;
  readonly createdAt: TimestampMs;
  readonly touchedAt: TimestampMs;
}

function rowToUpload(row: Selectable<UploadRow>): UploadRecord {
  return {
    id: row.id,
    userId: row.user_id as UserId,
    conversationId: row.conversation_id,
    size: row.size,
    chunkSize: row.chunk_size,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

function rowToBlob(row: Selectable<BlobRow>): BlobRecord {
  return {
    id: row.id,
    uploaderId: row.uploader_id as UserId,
    conversationId: row.conversation_id,
    size: row.size,
    createdAt: row.created_at,
    touchedAt: row.touched_at,
  };
}

// ---- uploads ----

export async function insertUpload(db: Db, u: UploadRecord): Promise<void> {
  await db
    .insertInto('uploads')
    .values({
      id: u.id,
      user_id: u.userId,
      conversation_id: u.conversationId,
      size: u.size,
      chunk_size: u.chunkSize,
      created_at: u.createdAt,
      expires_at: u.expiresAt,
    })
    .execute();
}

export async function findUpload(db: Db, id: string): Promise<UploadRecord | undefined> {
  const row = await db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : rowToUpload(row);
}

/** Moves an unexpired upload's expiry forward (it made progress); false when it is gone or expired. */
export async function extendUpload(
  db: Db,
  id: string,
  now: TimestampMs,
  expiresAt: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('uploads')
    .set({ expires_at: expiresAt })
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records that a chunk is stored; recording it again is a no-op (retried chunks). */
export async function insertUploadChunk(db: Db, uploadId: string, index: number): Promise<void> {
  await db
    .insertInto('upload_chunks')
    .values({ upload_id: uploadId, chunk_index: index })
    .onConflict((oc) => oc.columns(['upload_id', 'chunk_index']).doNothing())
    .execute();
}

export async function listUploadChunks(db: Db, uploadId: string): Promise<readonly number[]> {
  const rows = await db
    .selectFrom('upload_chunks')
    .select('chunk_index')
    .where('upload_id', '=', uploadId)
    .orderBy('chunk_index', 'asc')
    .execute();
  return rows.map((r) => r.chunk_index);
}

/**
 * Removes an upload and its chunk records. With `expiredBy`, only if it has expired by then (the collector),
 * without, only if it has not expired at `now` (completion). False when another caller got there first.
 */
export async function deleteUpload(
  db: Db,
  id: string,
  condition: { readonly expiredBy: TimestampMs } | { readonly aliveAt: TimestampMs },
): Promise<boolean> {
  let query = db.deleteFrom('uploads').where('id', '=', id);
  query =
    'expiredBy' in condition
      ? query.where('expires_at', '<=', condition.expiredBy)
      : query.where('expires_at', '>', condition.aliveAt);
  const result = await query.executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) return false;
  await db.deleteFrom('upload_chunks').where('upload_id', '=', id).execute();
  return true;
}

export async function listExpiredUploadIds(
  db: Db,
  now: TimestampMs,
  limit: number,
): Promise<readonly string[]> {
  const rows = await db
    .selectFrom('uploads')
    .select('id')
    .where('expires_at', '<=', now)
    .orderBy('expires_at', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Which of these upload ids still exist (to sweep store directories the database no longer knows). */
export async function listExistingUploadIds(db: Db, ids: readonly string[]): Promise<ReadonlySet<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('uploads').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

// ---- quotas ----

/** Bytes held for a user or a conversation: committed blobs plus uploads that have not expired. */
export async function storageUsed(
  db: Db,
  owner: { readonly userId: string } | { readonly conversationId: string },
  now: TimestampMs,
): Promise<number> {
  const byUser = 'userId' in owner;
  const key = byUser ? owner.userId : owner.conversationId;
  const blobs = await db
    .selectFrom('blobs')
    .select((eb) => eb.fn.sum<number | string | null>('size').as('total'))
    .where(byUser ? 'uploader_id' : 'conversation_id', '=', key)
    .executeTakeFirst();
  const uploads = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.sum<number | string | null>('size').as('total'))
    .where(byUser ? 'user_id' : 'conversation_id', '=', key)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  // PostgreSQL sums bigint as numeric, which arrives as a string.
  return Number(blobs?.total ?? 0) + Number(uploads?.total ?? 0);
}

// ---- blobs ----

/** Stores a completed blob; a second completion of the same upload is a no-op. */
export async function insertBlob(db: Db, b: BlobRecord): Promise<void> {
  await db
    .insertInto('blobs')
    .values({
      id: b.id,
      uploader_id: b.uploaderId,
      conversation_id: b.conversationId,
      size: b.size,
      created_at: b.createdAt,
      touched_at: b.touchedAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function findBlob(db: Db, id: string): Promise<BlobRecord | undefined> {
  const row = await db.selectFrom('blobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : rowToBlob(row);
}

/**
 * Marks blobs as just referenced by a message, but only those the sender uploaded for this conversation, and
 * returns how many matched. The update also row-locks them, so a concurrent collection either waits and then
 * sees the fresh `touched_at`, or has deleted them first and this matches fewer rows.
 */
export async function touchOwnBlobs(
  db: Db,
  ids: readonly string[],
  uploaderId: string,
  conversationId: string,
  now: TimestampMs,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('blobs')
    .set({ touched_at: now })
    .where('id', 'in', ids)
    .where('uploader_id', '=', uploaderId)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Marks blobs as just referenced by a forward of the message at `source`, but only those that message carries
 * while it is undeleted and unexpired, and returns how many matched (row-locking them against a concurrent
 * collection, as `touchOwnBlobs` does).
 */
export async function touchBlobsCarriedBy(
  db: Db,
  ids: readonly string[],
  source: { readonly conversationId: string; readonly seq: number },
  now: TimestampMs,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('blobs')
    .set({ touched_at: now })
    .where('id', 'in', ids)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('event_attachments as a')
          .innerJoin('events as e', (join) =>
            join.onRef('e.conversation_id', '=', 'a.conversation_id').onRef('e.seq', '=', 'a.seq'),
          )
          .select('a.blob_id')
          .whereRef('a.blob_id', '=', 'blobs.id')
          .where('a.conversation_id', '=', source.conversationId)
          .where('a.seq', '=', source.seq)
          .where('e.kind', '=', 'message')
          .where('e.deleted_at', 'is', null)
          .where((inner) => inner.or([inner('e.expires_at', 'is', null), inner('e.expires_at', '>', now)])),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function insertEventAttachments(
  db: Db,
  conversationId: string,
  seq: number,
  blobIds: readonly string[],
): Promise<void> {
  if (blobIds.length === 0) return;
  await db
    .insertInto('event_attachments')
    .values(
      blobIds.map((blobId, position) => ({
        conversation_id: conversationId,
        seq,
        blob_id: blobId,
        position,
      })),
    )
    .execute();
}

/**
 * The blob ids each undeleted message of `rows` carries, keyed `conversationId:seq`, in the sender's order.
 * A deleted message shows none: its blobs are on their way to the collector.
 */
export async function listEventAttachments(
  db: Db,
  rows: ReadonlyArray<Pick<Selectable<EventRow>, 'conversation_id' | 'seq' | 'kind' | 'deleted_at'>>,
): Promise<ReadonlyMap<string, readonly string[]>> {
  const carrying = rows.filter((r) => r.kind === 'message' && r.deleted_at === null);
  const byKey = new Map<string, string[]>();
  if (carrying.length === 0) return byKey;
  const found = await db
    .selectFrom('event_attachments')
    .selectAll()
    .where('conversation_id', 'in', [...new Set(carrying.map((r) => r.conversation_id))])
    .where('seq', 'in', [...new Set(carrying.map((r) => r.seq))])
    .orderBy('position', 'asc')
    .execute();
  for (const a of found) {
    const key = `${a.conversation_id}:${String(a.seq)}`;
    const list = byKey.get(key) ?? [];
    list.push(a.blob_id);
    byKey.set(key, list);
  }
  return byKey;
}

/**
 * Whether a member of a conversation may see a message there that carries the blob: the message is undeleted,
 * unexpired, and after the member's visibility horizon.
 */
export async function isBlobVisibleTo(
  db: Db,
  blobId: string,
  userId: string,
  now: TimestampMs,
): Promise<boolean> {
  const row = await db
    .selectFrom('event_attachments as a')
    .innerJoin('events as e', (join) =>
      join.onRef('e.conversation_id', '=', 'a.conversation_id').onRef('e.seq', '=', 'a.seq'),
    )
    .innerJoin('conversation_members as m', 'm.conversation_id', 'a.conversation_id')
    .select('a.blob_id')
    .where('a.blob_id', '=', blobId)
    .where('m.user_id', '=', userId)
    .where('e.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('e.expires_at', 'is', null), eb('e.expires_at', '>', now)]))
    .whereRef('e.seq', '>', 'm.visible_from_seq')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Blobs untouched since `cutoff` that no undeleted message references: candidates for collection. */
export async function listCollectableBlobIds(
  db: Db,
  cutoff: TimestampMs,
  limit: number,
): Promise<readonly string[]> {
  const rows = await db
    .selectFrom('blobs')
    .select('id')
    .where('touched_at', '<=', cutoff)
    .where((eb) => eb.not(eb.exists(liveReference(eb))))
    .orderBy('touched_at', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Deletes a blob's row (and its links to deleted messages) if it is still collectable; false when a message
 * referenced it meanwhile or another collector was first. The caller removes the bytes after the commit.
 */
export async function deleteCollectableBlob(db: Db, id: string, cutoff: TimestampMs): Promise<boolean> {
  const result = await db
    .deleteFrom('blobs')
    .where('id', '=', id)
    .where('touched_at', '<=', cutoff)
    .where((eb) => eb.not(eb.exists(liveReference(eb))))
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) return false;
  await db.deleteFrom('event_attachments').where('blob_id', '=', id).execute();
  return true;
}

/** An undeleted message that carries `blobs.id` (a correlated subquery for the two statements above). */
function liveReference(eb: ExpressionBuilder<DB, 'blobs'>) {
  return eb
    .selectFrom('event_attachments as a')
    .innerJoin('events as e', (join) =>
      join.onRef('e.conversation_id', '=', 'a.conversation_id').onRef('e.seq', '=', 'a.seq'),
    )
    .select('a.blob_id')
    .whereRef('a.blob_id', '=', 'blobs.id')
    .where('e.deleted_at', 'is', null);
}
