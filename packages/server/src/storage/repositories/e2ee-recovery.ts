import type { TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** A user's passphrase-encrypted recovery backup (docs/decisions/0012-recovery.md); opaque to the server. */
export interface RecoveryBackupRecord {
  readonly userId: UserId;
  readonly bytes: Uint8Array;
  readonly version: number;
  readonly createdAt: TimestampMs;
  readonly updatedAt: TimestampMs;
}

/** One sealed entry of a user's history archive, at its place in a conversation. */
export interface ArchiveEntryRecord {
  readonly conversationId: string;
  readonly seq: number;
  readonly bytes: Uint8Array;
}

export async function findRecoveryBackup(db: Db, userId: string): Promise<RecoveryBackupRecord | undefined> {
  const row = await db
    .selectFrom('e2ee_backups')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (
    row && {
      userId: row.user_id as UserId,
      bytes: new Uint8Array(row.bytes),
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }
  );
}

/** Stores the first backup (version 1); false when the user has one already (another device was first). */
export async function insertRecoveryBackup(
  db: Db,
  userId: UserId,
  bytes: Uint8Array,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .insertInto('e2ee_backups')
    .values({ user_id: userId, bytes, version: 1, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Replaces the backup if it is still at `expectedVersion` (compare-and-set): of two devices replacing it at
 * once, one wins and the other learns it must look again. False when the version moved on.
 */
export async function replaceRecoveryBackup(
  db: Db,
  userId: UserId,
  bytes: Uint8Array,
  expectedVersion: number,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('e2ee_backups')
    .set({ bytes, version: expectedVersion + 1, updated_at: now })
    .where('user_id', '=', userId)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Adds entries of one user; an entry already stored at the same place is kept. Returns how many were new. */
export async function insertArchiveEntries(
  db: Db,
  userId: UserId,
  entries: readonly ArchiveEntryRecord[],
  now: TimestampMs,
): Promise<number> {
  if (entries.length === 0) return 0;
  const result = await db
    .insertInto('e2ee_archive')
    .values(
      entries.map((e) => ({
        user_id: userId,
        conversation_id: e.conversationId,
        seq: e.seq,
        bytes: e.bytes,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['user_id', 'conversation_id', 'seq']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** One user's entries of one conversation with seq > afterSeq, oldest first. */
export async function listArchiveEntries(
  db: Db,
  userId: string,
  conversationId: string,
  afterSeq: number,
  limit: number,
): Promise<readonly ArchiveEntryRecord[]> {
  const rows = await db
    .selectFrom('e2ee_archive')
    .select(['conversation_id', 'seq', 'bytes'])
    .where('user_id', '=', userId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ conversationId: r.conversation_id, seq: r.seq, bytes: new Uint8Array(r.bytes) }));
}
