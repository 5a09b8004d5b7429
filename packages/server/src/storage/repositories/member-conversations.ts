import {
  rowToConversation,
  rowToMembership,
  type ConversationRecord,
  type MembershipRecord,
} from './conversations.js';
import type { Db } from './users.js';

export interface MemberConversation {
  readonly conversation: ConversationRecord;
  readonly membership: MembershipRecord;
}

/**
 * A conversation together with one user's membership of it, in one query (a join), or undefined when the user
 * is not a member. Every member access reads both (each send among them), so this is one statement fewer each.
 */
function memberConversationQuery(db: Db, conversationId: string, userId: string) {
  return db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('c')
    .select([
      'm.role as member_role',
      'm.joined_at as member_joined_at',
      'm.visible_from_seq as member_visible_from_seq',
      'm.last_read_seq as member_last_read_seq',
      'm.muted as member_muted',
      'm.favourite as member_favourite',
      'm.archived as member_archived',
      'm.marked_unread as member_marked_unread',
    ])
    .where('m.conversation_id', '=', conversationId)
    .where('m.user_id', '=', userId);
}

type MemberConversationRow = NonNullable<
  Awaited<ReturnType<ReturnType<typeof memberConversationQuery>['executeTakeFirst']>>
>;

function toMemberConversation(
  row: MemberConversationRow,
  conversationId: string,
  userId: string,
): MemberConversation {
  return {
    conversation: rowToConversation(row),
    membership: rowToMembership({
      conversation_id: conversationId,
      user_id: userId,
      role: row.member_role,
      joined_at: row.member_joined_at,
      visible_from_seq: row.member_visible_from_seq,
      last_read_seq: row.member_last_read_seq,
      muted: row.member_muted,
      favourite: row.member_favourite,
      archived: row.member_archived,
      marked_unread: row.member_marked_unread,
    }),
  };
}

export async function findMemberConversation(
  db: Db,
  conversationId: string,
  userId: string,
): Promise<MemberConversation | undefined> {
  const row = await memberConversationQuery(db, conversationId, userId).executeTakeFirst();
  return row === undefined ? undefined : toMemberConversation(row, conversationId, userId);
}

/** What a send needs besides the member's conversation: whether it has an MLS group, and its removal flag. */
export interface SendContext extends MemberConversation {
  readonly group: { readonly removalPending: boolean } | undefined;
}

/**
 * The member's conversation and its MLS group's send state in one statement: a send reads both, and on
 * PostgreSQL every statement of a send is a round trip that the sends queued behind it wait for.
 */
export async function findSendContext(
  db: Db,
  conversationId: string,
  userId: string,
): Promise<SendContext | undefined> {
  const row = await memberConversationQuery(db, conversationId, userId)
    .leftJoin('mls_groups as g', 'g.conversation_id', 'm.conversation_id')
    .select(['g.conversation_id as group_conversation_id', 'g.removal_pending as group_removal_pending'])
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    ...toMemberConversation(row, conversationId, userId),
    group:
      row.group_conversation_id === null ? undefined : { removalPending: row.group_removal_pending !== 0 },
  };
}
