import type { MemberRole, TimestampMs, UserId } from '@enlets/protocol';
import {
  MEMBERSHIP_COLUMNS,
  rowToConversation,
  rowToMembership,
  type ConversationRecord,
  type MembershipRecord,
} from './conversations.js';
import type { Db } from './users.js';

/**
 * The read models of the conversation list: a few grouped queries for all of a user's conversations at once
 * (never one query per conversation), so a list of hundreds of conversations costs the same handful of round
 * trips as a list of one.
 */

export interface MembershipWithConversation {
  readonly membership: MembershipRecord;
  readonly conversation: ConversationRecord;
}

/** A user's memberships with their conversations, most recent activity first. */
export async function listMembershipsOfUser(
  db: Db,
  userId: string,
  filter: { readonly archived?: boolean | undefined; readonly conversationId?: string | undefined } = {},
): Promise<readonly MembershipWithConversation[]> {
  let query = db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('c')
    .select(MEMBERSHIP_COLUMNS)
    .where('m.user_id', '=', userId);
  if (filter.archived !== undefined) query = query.where('m.archived', '=', filter.archived ? 1 : 0);
  if (filter.conversationId !== undefined)
    query = query.where('m.conversation_id', '=', filter.conversationId);
  const rows = await query.orderBy('c.updated_at', 'desc').orderBy('c.id').execute();
  return rows.map((row) => ({ membership: rowToMembership(row), conversation: rowToConversation(row) }));
}

export interface UnreadCounts {
  readonly unread: number;
  readonly mentions: number;
}

/**
 * Per conversation of the user: messages after their read position that others sent and that are neither
 * deleted nor expired, and how many of those mention the user or everyone. One grouped query over the
 * events' primary key ranges; conversations with nothing unread are absent from the map.
 */
export async function countUnread(
  db: Db,
  userId: string,
  now: TimestampMs,
  conversationId?: string,
): Promise<ReadonlyMap<string, UnreadCounts>> {
  let query = db
    .selectFrom('conversation_members as m')
    .innerJoin('events as e', (join) =>
      join.onRef('e.conversation_id', '=', 'm.conversation_id').onRef('e.seq', '>', 'm.last_read_seq'),
    )
    .where('m.user_id', '=', userId)
    .where('e.kind', '=', 'message')
    .where('e.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('e.sender_id', 'is', null), eb('e.sender_id', '<>', userId)]))
    .where((eb) => eb.or([eb('e.expires_at', 'is', null), eb('e.expires_at', '>', now)]));
  if (conversationId !== undefined) query = query.where('m.conversation_id', '=', conversationId);
  const rows = await query
    .select((eb) => [
      'e.conversation_id',
      eb.fn.countAll().as('unread'),
      eb.fn
        .sum(
          eb
            .case()
            .when(
              eb.or([
                eb('e.mentions_all', '=', 1),
                eb.exists(
                  eb
                    .selectFrom('event_mentions as em')
                    .select('em.seq')
                    .whereRef('em.conversation_id', '=', 'e.conversation_id')
                    .whereRef('em.seq', '=', 'e.seq')
                    .where('em.user_id', '=', userId),
                ),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as('mentions'),
    ])
    .groupBy('e.conversation_id')
    .execute();
  return new Map(
    rows.map((r) => [r.conversation_id, { unread: Number(r.unread), mentions: Number(r.mentions) }]),
  );
}

/** Member counts of every conversation the user is in. */
export async function countMembersOfUserConversations(
  db: Db,
  userId: string,
  conversationId?: string,
): Promise<ReadonlyMap<string, number>> {
  let query = db
    .selectFrom('conversation_members as all_m')
    .innerJoin('conversation_members as mine', 'mine.conversation_id', 'all_m.conversation_id')
    .where('mine.user_id', '=', userId);
  if (conversationId !== undefined) query = query.where('mine.conversation_id', '=', conversationId);
  const rows = await query
    .select((eb) => ['all_m.conversation_id', eb.fn.countAll().as('members')])
    .groupBy('all_m.conversation_id')
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, Number(r.members)]));
}

/** The current MLS epoch of each of the user's conversations that has an MLS group (one query for the list). */
export async function listMlsEpochsOfUserConversations(
  db: Db,
  userId: string,
  conversationId?: string,
): Promise<ReadonlyMap<string, number>> {
  let query = db
    .selectFrom('mls_groups as g')
    .innerJoin('conversation_members as mine', 'mine.conversation_id', 'g.conversation_id')
    .where('mine.user_id', '=', userId);
  if (conversationId !== undefined) query = query.where('g.conversation_id', '=', conversationId);
  const rows = await query.select(['g.conversation_id', 'g.epoch']).execute();
  return new Map(rows.map((r) => [r.conversation_id, r.epoch]));
}

export interface MemberWithUser {
  readonly userId: UserId;
  readonly displayName: string;
  readonly role: MemberRole;
  readonly joinedAt: TimestampMs;
  readonly lastReadSeq: number;
  /** The member shares read receipts. */
  readonly readReceipts: boolean;
}

/** The members of a conversation with their names and receipt settings, longest-standing first. */
export async function listMembersWithUsers(
  db: Db,
  conversationId: string,
): Promise<readonly MemberWithUser[]> {
  const rows = await db
    .selectFrom('conversation_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.display_name', 'm.role', 'm.joined_at', 'm.last_read_seq', 'u.read_receipts'])
    .where('m.conversation_id', '=', conversationId)
    .orderBy('m.joined_at')
    .orderBy('m.user_id')
    .execute();
  return rows.map((r) => ({
    userId: r.user_id as UserId,
    displayName: r.display_name,
    role: r.role as MemberRole,
    joinedAt: r.joined_at,
    lastReadSeq: r.last_read_seq,
    readReceipts: r.read_receipts === 1,
  }));
}

/** Ids of a conversation's members who share read receipts (the audience of a receipt). */
export async function listReceiptSharingMemberIds(
  db: Db,
  conversationId: string,
): Promise<readonly UserId[]> {
  const rows = await db
    .selectFrom('conversation_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.conversation_id', '=', conversationId)
    .where('u.read_receipts', '=', 1)
    .execute();
  return rows.map((r) => r.user_id as UserId);
}

/** The ids of every conversation a user is a member of. */
export async function listConversationIdsOfUser(db: Db, userId: string): Promise<readonly string[]> {
  const rows = await db
    .selectFrom('conversation_members')
    .select('conversation_id')
    .where('user_id', '=', userId)
    .orderBy('conversation_id')
    .execute();
  return rows.map((r) => r.conversation_id);
}
