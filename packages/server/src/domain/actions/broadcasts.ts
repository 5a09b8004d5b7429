import type { CreateBroadcastRequest } from '@enlets/protocol';
import { newId } from '../../lib/secrets.js';
import {
  findConversation,
  insertConversation,
  listMemberships,
} from '../../storage/repositories/conversations.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError, notFound } from '../errors.js';
import { inTransaction, type Services } from '../services.js';
import { openDirectConversation } from './conversations.js';
import { addMembers } from './membership.js';

/**
 * A broadcast: the sender (owner) writes, the recipients read and react (sendEvent refuses their content); a
 * recipient who answers does so in a private 1:1 conversation with the sender (`replyToBroadcast`).
 */
export async function createBroadcast(
  services: Services,
  actor: Actor,
  request: CreateBroadcastRequest,
): Promise<string> {
  const id = newId();
  return inTransaction(services, async (trx, afterCommit) => {
    await insertConversation(trx, {
      id,
      kind: 'broadcast',
      name: request.name,
      description: null,
      tlp: request.tlp ?? 'GREEN',
      joinMode: null,
      listed: false,
      passwordHash: null,
      readOnly: true,
      leaveAllowed: true,
      scopeKind: null,
      scopeId: null,
      messageTtlMs: null,
      historyVisible: false,
      directKey: null,
      createdBy: actor.user.id,
      createdAt: services.clock.now(),
    });
    const created = await findConversation(trx, id);
    if (created === undefined) throw new Error('broadcast vanished in its own transaction');
    await addMembers(services, trx, afterCommit, created, [actor.user.id], 'owner', actor.user.id);
    const recipients = request.recipientIds.filter((r) => r !== actor.user.id);
    await addMembers(services, trx, afterCommit, created, recipients, 'member', actor.user.id);
    return id;
  });
}

/** Opens (or finds) the private conversation between a recipient and the broadcast's sender. */
export async function replyToBroadcast(
  services: Services,
  actor: Actor,
  broadcastId: string,
): Promise<string> {
  const { conversation } = await accessConversationAsMember(services.db, actor, broadcastId);
  if (conversation.kind !== 'broadcast') throw notFound('broadcast');
  const owner = (await listMemberships(services.db, broadcastId)).find((m) => m.role === 'owner');
  if (owner === undefined)
    throw new DomainError('CONFLICT', 'the sender has left', { reason: 'sender_gone' });
  if (owner.userId === actor.user.id) {
    throw new DomainError('CONFLICT', 'you sent this broadcast', { reason: 'own_broadcast' });
  }
  return (await openDirectConversation(services, actor, owner.userId)).conversationId;
}
