import type { ConversationRecord, MembershipRecord } from '../../storage/repositories/conversations.js';
import {
  findMemberConversation,
  findSendContext,
  type SendContext,
} from '../../storage/repositories/member-conversations.js';
import type { Db } from '../../storage/repositories/users.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';

export interface ConversationAccess {
  readonly conversation: ConversationRecord;
  readonly membership: MembershipRecord;
}

/**
 * A conversation the actor is a member of. Anything else — unknown id, a channel they have not joined, a
 * conversation of others — answers NOT_FOUND alike, so ids cannot be probed.
 */
export async function accessConversationAsMember(
  db: Db,
  actor: Actor,
  conversationId: string,
): Promise<ConversationAccess> {
  const access = await findMemberConversation(db, conversationId, actor.user.id);
  if (access === undefined) throw notFound('conversation');
  return access;
}

/** The same access for a send, with the conversation's MLS group state read in the same statement. */
export async function accessConversationForSend(
  db: Db,
  actor: Actor,
  conversationId: string,
): Promise<SendContext> {
  const access = await findSendContext(db, conversationId, actor.user.id);
  if (access === undefined) throw notFound('conversation');
  return access;
}

/** Managers (and the owner) run a conversation; moderators may also delete others' messages. */
export function isManager(membership: MembershipRecord): boolean {
  return membership.role === 'owner' || membership.role === 'manager';
}

export function canModerate(membership: MembershipRecord): boolean {
  return isManager(membership) || membership.role === 'moderator';
}
