import type {
  ConversationDetail,
  ConversationListQuery,
  ConversationSummary,
  ReceiptsResponse,
  UserId,
} from '@enlets/protocol';
import {
  countMembersOfUserConversations,
  listMlsEpochsOfUserConversations,
  countUnread,
  listMembershipsOfUser,
  listMembersWithUsers,
  type MembershipWithConversation,
} from '../../storage/repositories/conversation-lists.js';
import type { ConversationRecord } from '../../storage/repositories/conversations.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import type { Services } from '../services.js';

/** The other person of a 1:1 conversation, from its pair key. */
function otherUserOf(conversation: ConversationRecord, me: string): UserId | null {
  if (conversation.kind !== 'direct' || conversation.directKey === null) return null;
  const [a, b] = conversation.directKey.split(':');
  const other = a === me ? b : a;
  return (other ?? null) as UserId | null;
}

/** The summaries of the actor's conversations: four grouped queries, whatever the number of conversations. */
async function summarize(
  services: Services,
  actor: Actor,
  filter: { readonly archived?: boolean | undefined; readonly conversationId?: string | undefined },
): Promise<ConversationSummary[]> {
  const me = actor.user.id;
  const [rows, unread, members, epochs] = await Promise.all([
    listMembershipsOfUser(services.db, me, filter),
    countUnread(services.db, me, services.clock.now(), filter.conversationId),
    countMembersOfUserConversations(services.db, me, filter.conversationId),
    listMlsEpochsOfUserConversations(services.db, me, filter.conversationId),
  ]);
  return rows.map((row: MembershipWithConversation) => {
    const { conversation: c, membership: m } = row;
    const counts = unread.get(c.id);
    return {
      id: c.id,
      kind: c.kind,
      name: c.kind === 'direct' ? null : c.name,
      otherUserId: otherUserOf(c, me),
      tlp: c.tlp,
      role: m.role,
      headSeq: c.headSeq,
      lastReadSeq: m.lastReadSeq,
      unreadCount: counts?.unread ?? 0,
      mentionCount: counts?.mentions ?? 0,
      muted: m.muted,
      favourite: m.favourite,
      archived: m.archived,
      markedUnread: m.markedUnread,
      memberCount: members.get(c.id) ?? 0,
      lastActivityAt: c.updatedAt,
      mlsEpoch: epochs.get(c.id) ?? null,
    };
  });
}

/** The actor's conversation list, most recent activity first (optionally only archived or unarchived ones). */
export async function listConversations(
  services: Services,
  actor: Actor,
  query: ConversationListQuery,
): Promise<readonly ConversationSummary[]> {
  return summarize(services, actor, { archived: query.archived });
}

/** One line of the list, for a conversation the actor is a member of (NOT_FOUND otherwise). */
export async function getConversationSummary(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<ConversationSummary> {
  const [summary] = await summarize(services, actor, { conversationId });
  if (summary === undefined) throw notFound('conversation');
  return summary;
}

/**
 * A conversation with its settings and members. A member's read position shows only when both they and the
 * actor share read receipts (the actor's own always shows).
 */
export async function getConversationDetail(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<ConversationDetail> {
  const { conversation } = await accessConversationAsMember(services.db, actor, conversationId);
  const summary = await getConversationSummary(services, actor, conversationId);
  const members = await listMembersWithUsers(services.db, conversationId);
  const iShare = actor.user.readReceipts;
  return {
    ...summary,
    description: conversation.description,
    messageTtlMs: conversation.messageTtlMs,
    historyForNewcomers: conversation.historyForNewcomers,
    createdAt: conversation.createdAt,
    members: members.map((m) => ({
      userId: m.userId,
      displayName: m.displayName,
      role: m.role,
      joinedAt: m.joinedAt,
      lastReadSeq: m.userId === actor.user.id || (iShare && m.readReceipts) ? m.lastReadSeq : null,
    })),
  };
}

/**
 * "Seen by" for the message at `seq`: the other members who share read receipts and have read that far.
 * Empty when the actor does not share receipts (who hides theirs sees nobody's).
 */
export async function listReceipts(
  services: Services,
  actor: Actor,
  conversationId: string,
  seq: number,
): Promise<ReceiptsResponse> {
  await accessConversationAsMember(services.db, actor, conversationId);
  if (!actor.user.readReceipts) return { seenBy: [] };
  const members = await listMembersWithUsers(services.db, conversationId);
  return {
    seenBy: members
      .filter((m) => m.userId !== actor.user.id && m.readReceipts && m.lastReadSeq >= seq)
      .map((m) => ({ userId: m.userId, lastReadSeq: m.lastReadSeq })),
  };
}
