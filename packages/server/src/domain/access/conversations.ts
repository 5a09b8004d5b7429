import {
  findConversation,
  findMembership,
  type ConversationRecord,
  type MembershipRecord,
} from '../../storage/repositories/conversations.js';
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
  const membership = await findMembership(db, conversationId, actor.user.id);
  if (membership === undefined) throw notFound('conversation');
  const conversation = await findConversation(db, conversationId);
  if (conversation === undefined) throw notFound('conversation');
  return { conversation, membership };
}

/** Managers (and the owner) run a conversation; moderators may also delete others' messages. */
export function isManager(membership: MembershipRecord): boolean {
  return membership.role === 'owner' || membership.role === 'manager';
}

export function canModerate(membership: MembershipRecord): boolean {
  return isManager(membership) || membership.role === 'moderator';
}
