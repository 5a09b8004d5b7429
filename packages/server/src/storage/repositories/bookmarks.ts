import type { TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** Marks on messages: private bookmarks, and the shared pin log that the pins list is derived from. */

export interface BookmarkRecord {
  readonly conversationId: string;
  readonly seq: number;
  readonly createdAt: TimestampMs;
}

/** Bookmarks a message; false when it was bookmarked already. */
export async function insertBookmark(
  db: Db,
  userId: string,
  conversationId: string,
  seq: number,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .insertInto('bookmarks')
    .values({ user_id: userId, conversation_id: conversationId, seq, created_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'conversation_id', 'seq']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteBookmark(
  db: Db,
  userId: string,
  conversationId: string,
  seq: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('bookmarks')
    .where('user_id', '=', userId)
    .where('conversation_id', '=', conversationId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * A user's bookmarks, newest first, in conversations they are still a member of and on messages they can
 * still see (a bookmark outlives leaving, but shows nothing of a conversation one left).
 */
export async function listBookmarks(
  db: Db,
  userId: string,
  limit: number,
): Promise<readonly BookmarkRecord[]> {
  const rows = await db
    .selectFrom('bookmarks as b')
    .innerJoin('conversation_members as m', (join) =>
      join.onRef('m.conversation_id', '=', 'b.conversation_id').onRef('m.user_id', '=', 'b.user_id'),
    )
    .select(['b.conversation_id', 'b.seq', 'b.created_at'])
    .where('b.user_id', '=', userId)
    .whereRef('b.seq', '>', 'm.visible_from_seq')
    .orderBy('b.created_at', 'desc')
    .orderBy('b.conversation_id')
    .orderBy('b.seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ conversationId: r.conversation_id, seq: r.seq, createdAt: r.created_at }));
}

export interface PinEventRecord {
  readonly kind: 'pin' | 'unpin';
  readonly refSeq: number;
  readonly senderId: UserId | null;
  readonly createdAt: TimestampMs;
  /** Whether the referenced message has been deleted or has expired since. */
  readonly targetGone: boolean;
}

/** Every pin and unpin of a conversation, oldest first, with the state of the message each refers to. */
export async function listPinEvents(db: Db, conversationId: string): Promise<readonly PinEventRecord[]> {
  const rows = await db
    .selectFrom('events as p')
    .leftJoin('events as t', (join) =>
      join.onRef('t.conversation_id', '=', 'p.conversation_id').onRef('t.seq', '=', 'p.ref_seq'),
    )
    .select(['p.kind', 'p.ref_seq', 'p.sender_id', 'p.created_at', 't.deleted_at'])
    .where('p.conversation_id', '=', conversationId)
    .where('p.kind', 'in', ['pin', 'unpin'])
    .where('p.ref_seq', 'is not', null)
    .orderBy('p.seq')
    .execute();
  return rows.map((r) => ({
    kind: r.kind as 'pin' | 'unpin',
    refSeq: r.ref_seq ?? 0,
    senderId: r.sender_id as UserId | null,
    createdAt: r.created_at,
    targetGone: r.deleted_at !== null,
  }));
}
