import type { HistoryForNewcomers, HistoryShareRecorded, RecordHistoryShareRequest } from '@enlets/protocol';
import {
  extendVisibilityBack,
  findMembership,
  lockConversation,
  updateConversation,
  type ConversationRecord,
  type MembershipRecord,
} from '../../storage/repositories/conversations.js';
import { accessConversationAsMember, isManager } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { appendAudit } from '../audit.js';
import { DomainError, forbidden, notFound } from '../errors.js';
import { inTransaction, type Services, type Trx } from '../services.js';
import { appendSystemEvent } from './events.js';

/**
 * History for newcomers (docs/decisions/0016-history-for-newcomers.md). The server never sees the shared
 * messages: it keeps the setting, refuses shares while it is off, and records each share (who, from which
 * device, to whom, which seq range) in the audit log and as a `history.shared` system event, which the
 * recipient's device requires before it imports anything.
 */

/** Locks a conversation the actor is a member of and returns it fresh, with the actor's membership. */
async function lockAsMember(
  services: Services,
  trx: Trx,
  actor: Actor,
  conversationId: string,
): Promise<{ conversation: ConversationRecord; membership: MembershipRecord }> {
  const { membership } = await accessConversationAsMember(trx, actor, conversationId);
  const conversation = await lockConversation(trx, conversationId, services.clock.now());
  if (conversation === undefined) throw notFound('conversation');
  return { conversation, membership };
}

/**
 * Sets whether members may share earlier messages with newcomers. Only the owner and managers may (others
 * FORBIDDEN), in groups and channels; 1:1 conversations and broadcasts stay `off` (CONFLICT). An effective
 * change is audited and announced as a `conversation.updated` event; setting the current value does nothing.
 */
export async function setHistoryForNewcomers(
  services: Services,
  actor: Actor,
  conversationId: string,
  value: HistoryForNewcomers,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await lockAsMember(services, trx, actor, conversationId);
    if (conversation.kind !== 'group' && conversation.kind !== 'channel')
      throw new DomainError('CONFLICT', 'only groups and channels can share history with newcomers', {
        reason: 'kind',
      });
    if (!isManager(membership)) throw forbidden('conversation.manage');
    if (conversation.historyForNewcomers === value) return;
    await updateConversation(trx, conversationId, { historyForNewcomers: value }, services.clock.now());
    await appendSystemEvent(services, trx, afterCommit, conversationId, {
      type: 'conversation.updated',
      changes: { historyForNewcomers: value },
      by: actor.user.id,
    });
    await appendAudit(services, trx, {
      actorId: actor.user.id,
      action: 'history_for_newcomers.changed',
      targetType: 'conversation',
      targetId: conversationId,
      details: { from: conversation.historyForNewcomers, to: value },
    });
  });
}

function invalidShare(message: string, reason: 'recipient' | 'range'): DomainError {
  return new DomainError('HISTORY_SHARE_INVALID', message, { reason });
}

/**
 * Records that the actor's device gives `recipientId` the messages from `fromSeq` to `toSeq` (it sends the
 * bundle's key right after). Refused while the setting is off. The range must lie within what the sharer may
 * see; the recipient's view of the log is extended back to `fromSeq`, so their device can match each shared
 * message to its event (and download the files those messages reference). Audited as `history.shared`.
 */
export async function recordHistoryShare(
  services: Services,
  actor: Actor,
  conversationId: string,
  request: RecordHistoryShareRequest,
): Promise<HistoryShareRecorded> {
  return inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await lockAsMember(services, trx, actor, conversationId);
    if (conversation.historyForNewcomers !== 'on')
      throw new DomainError('HISTORY_SHARING_OFF', 'history for newcomers is off in this conversation');
    const { recipientId, fromSeq, toSeq } = request;
    if (
      recipientId === actor.user.id ||
      (await findMembership(trx, conversationId, recipientId)) === undefined
    )
      throw invalidShare('the recipient is not another member of this conversation', 'recipient');
    if (fromSeq > toSeq || toSeq > conversation.headSeq || fromSeq <= membership.visibleFromSeq)
      throw invalidShare('the range is not within the history you may see', 'range');
    await extendVisibilityBack(trx, conversationId, recipientId, fromSeq);
    const facts = { recipientId, deviceId: actor.session.id, fromSeq, toSeq };
    const event = await appendSystemEvent(services, trx, afterCommit, conversationId, {
      type: 'history.shared',
      by: actor.user.id,
      ...facts,
    });
    await appendAudit(services, trx, {
      actorId: actor.user.id,
      action: 'history.shared',
      targetType: 'conversation',
      targetId: conversationId,
      details: { ...facts, eventSeq: event.seq },
    });
    return { seq: event.seq };
  });
}
