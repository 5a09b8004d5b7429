import type { MemberRole, UserId } from '@enlets/protocol';
import {
  deleteMembership,
  insertMembership,
  type ConversationRecord,
} from '../../storage/repositories/conversations.js';
import { flagRemovalPending } from '../../storage/repositories/mls-groups.js';
import { findUserById, listRoles } from '../../storage/repositories/users.js';
import { DomainError } from '../errors.js';
import type { Services, Trx } from '../services.js';
import { checkMemberAllowed, isNetworkMember } from '../tlp.js';
import { appendSystemEvent, publishAfterCommit } from './events.js';

/**
 * The one way members enter a conversation (create, invite, join, approve): checks that each person may use
 * the Messenger and that the conversation's marking allows them, adds them so they see only what follows
 * (unless the conversation shares history with newcomers), and writes a `member.added` system event.
 */
export async function addMembers(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  conversation: ConversationRecord,
  userIds: readonly UserId[],
  role: MemberRole,
  addedBy: UserId | null,
): Promise<readonly UserId[]> {
  const added: UserId[] = [];
  for (const userId of new Set(userIds)) {
    const user = await findUserById(trx, userId);
    if (user?.status !== 'active' && user?.status !== 'invited') {
      throw new DomainError('NOT_FOUND', 'member not found', { userId });
    }
    const roles = await listRoles(trx, userId);
    if (!isNetworkMember(roles) && !roles.some((g) => g.role === 'partner_guest')) {
      throw new DomainError('FORBIDDEN', 'this account does not use the Messenger', {
        permission: 'messenger.use',
        userId,
      });
    }
    checkMemberAllowed(conversation.tlp, roles);
    const inserted = await insertMembership(trx, {
      conversationId: conversation.id,
      userId,
      role,
      joinedAt: services.clock.now(),
      visibleFromSeq: conversation.historyVisible ? 0 : conversation.headSeq,
    });
    if (inserted) added.push(userId);
  }
  if (added.length > 0) {
    await appendSystemEvent(services, trx, afterCommit, conversation.id, {
      type: 'member.added',
      userIds: added,
      role,
      by: addedBy,
    });
    publishAfterCommit(services, afterCommit, {
      type: 'membership.changed',
      conversationId: conversation.id,
      added,
      removed: [],
    });
  }
  return added;
}

/**
 * The one way members leave (leave, removal by a manager, leaving the service): a `member.removed` system
 * event goes to everyone including the removed member (so their devices learn it), then they are gone.
 */
export async function removeMembers(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  conversationId: string,
  userIds: readonly UserId[],
  removedBy: UserId | null,
  reason: 'left' | 'removed' | 'left_service',
): Promise<readonly UserId[]> {
  const removed: UserId[] = [];
  // Their devices may read nothing new: sends wait for a commit removing their leaves (ADR 0011). Flagged
  // before the system event locks the conversation's row, in the order commits lock the two.
  await flagRemovalPending(trx, {
    userIds: [...new Set(userIds)],
    conversationId,
    at: services.clock.now(),
  });
  // The system event is written while they are still members, so it reaches their devices too.
  await appendSystemEvent(services, trx, afterCommit, conversationId, {
    type: 'member.removed',
    userIds: [...new Set(userIds)],
    by: removedBy,
    reason,
  });
  for (const userId of new Set(userIds)) {
    if (await deleteMembership(trx, conversationId, userId)) removed.push(userId);
  }
  if (removed.length === 0) throw new DomainError('NOT_FOUND', 'member not found');
  publishAfterCommit(services, afterCommit, {
    type: 'membership.changed',
    conversationId,
    added: [],
    removed,
  });
  return removed;
}
