import type { ConversationEvent, SendEventAck, SendEventRequest, UserId } from '@enlets/protocol';
import { tlpRank } from '@enlets/protocol';
import {
  findEvent,
  findEventByClientId,
  insertEvent,
  insertEventOnce,
  eraseEventPayload,
  type EventRecord,
} from '../../storage/repositories/events.js';
import {
  findConversation,
  listMemberIds,
  takeNextSeq,
  type ConversationRecord,
} from '../../storage/repositories/conversations.js';
import {
  accessConversationAsMember,
  accessConversationForSend,
  canModerate,
  isManager,
} from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import type { BusMessage } from '../events.js';
import { largeGroupPolicy } from '../mls-large-groups.js';
import { checkEncryptedContent } from '../mls-removals.js';
import type { Services, Trx } from '../services.js';
import { batcherFor } from '../send-batcher.js';
import { toWireEvent } from '../wire.js';
import { attachBlobs, type ForwardSource } from './uploads.js';

export function ack(event: EventRecord, duplicate: boolean): SendEventAck {
  return {
    conversationId: event.conversationId,
    clientMessageId: event.clientMessageId ?? '',
    seq: event.seq,
    serverTime: event.createdAt,
    duplicate,
  };
}

/** Thrown inside the transaction when a retry is found, to roll back the seq it took. */
export class AlreadyStoredError extends Error {
  constructor(readonly event: EventRecord) {
    super('already stored');
  }
}

/**
 * Stores one event a member sent and acknowledges it only after the commit: nothing acknowledged is lost. A
 * retry with the same clientMessageId returns the stored seq (`duplicate: true`) and stores nothing, so a
 * message never shows twice. Sends arriving together are committed together (`send-batcher.ts`: one
 * transaction, one savepoint per event, so one refused event never affects another).
 */
export async function sendEvent(
  services: Services,
  actor: Actor,
  conversationId: string,
  request: SendEventRequest,
  /** Set by `forwardEvent` only: the message whose files the copy may carry (see `attachBlobs`). */
  forwardedFrom?: ForwardSource,
): Promise<SendEventAck> {
  // Fast path for retries: no lock, no write.
  const stored = await findEventByClientId(
    services.db,
    conversationId,
    actor.user.id,
    request.clientMessageId,
  );
  if (stored !== undefined) {
    await accessConversationAsMember(services.db, actor, conversationId);
    return ack(stored, true);
  }
  return batcherFor(services).submit(actor, conversationId, request, forwardedFrom);
}

/**
 * The members of each conversation a batch of sends wrote to, read once per conversation and transaction. Safe
 * to reuse within the transaction because it is read under the conversation's row lock (after `takeNextSeq`),
 * which every membership change also takes (its system event), so no change can commit in between.
 */
export type RecipientsCache = Map<string, readonly UserId[]>;

/**
 * The work of one send inside a transaction: the conversation's rules (membership, read-only, references,
 * TLP), the next seq under the conversation's row lock, the insert, and the bus message after commit. Throws
 * AlreadyStoredError for a retry that raced its original, DomainError for a refused event.
 *
 * On PostgreSQL each statement is a round trip, and the sends queued behind this one wait for all of them, so
 * a plain message costs four: access with the group state, seq, insert-once, members (once per batch).
 */
export async function storeEvent(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  actor: Actor,
  conversationId: string,
  request: SendEventRequest,
  recipientsCache: RecipientsCache = new Map(),
  forwardedFrom?: ForwardSource,
): Promise<SendEventAck> {
  const { conversation, membership, group } = await accessConversationForSend(trx, actor, conversationId);
  checkMayPost(
    conversation,
    membership.role === 'owner' || isManager(membership),
    request,
    canModerate(membership),
  );
  const tlp = request.tlp ?? conversation.tlp;
  if (tlpRank(tlp) < tlpRank(conversation.tlp)) {
    throw new DomainError('TLP_VIOLATION', `a message here must be marked ${conversation.tlp} or higher`, {
      rule: 'message_below_conversation',
      conversationTlp: conversation.tlp,
    });
  }
  const now = services.clock.now();
  const payload = new Uint8Array(Buffer.from(request.payload, 'base64'));
  // In an encrypted conversation content is ciphertext of its group, encrypted to leaves that may all still
  // read it (ADR 0011).
  if (payload.length > 0)
    await checkEncryptedContent(trx, conversationId, group, payload, now, largeGroupPolicy(services.config));
  const seq = await takeNextSeq(trx, conversationId, now);
  const event: EventRecord = {
    conversationId,
    seq,
    kind: request.kind,
    senderId: actor.user.id,
    senderDeviceId: actor.session.id,
    clientMessageId: request.clientMessageId,
    refSeq: request.refSeq ?? null,
    threadRootSeq: request.threadRootSeq ?? null,
    tlp,
    mentions: request.mentions ?? [],
    mentionsAll: request.mentionsAll ?? false,
    attachments: request.attachments ?? [],
    payload,
    system: null,
    createdAt: now,
    expiresAt:
      conversation.messageTtlMs === null || request.kind !== 'message'
        ? null
        : now + conversation.messageTtlMs,
    deletedAt: null,
    deletedByManager: false,
  };
  // Under the conversation's row lock: a concurrent retry of the same id has committed or not, and if it has,
  // nothing is inserted and the savepoint gives the seq back.
  if (!(await insertEventOnce(trx, event))) {
    const raced = await findEventByClientId(trx, conversationId, actor.user.id, request.clientMessageId);
    if (raced === undefined) throw new Error('a conflicting event vanished inside its transaction');
    throw new AlreadyStoredError(raced);
  }
  const byManager = await checkReference(
    trx,
    conversationId,
    membership.visibleFromSeq,
    actor,
    canModerate(membership),
    request,
    seq,
  );
  await attachBlobs(trx, actor, event, now, forwardedFrom);
  if (request.kind === 'delete' && request.refSeq !== undefined) {
    // The server copy goes too: the referenced message's bytes are erased, its seq stays.
    await eraseEventPayload(trx, conversationId, request.refSeq, now, byManager);
  }
  let recipients = recipientsCache.get(conversationId);
  if (recipients === undefined) {
    recipients = await listMemberIds(trx, conversationId);
    recipientsCache.set(conversationId, recipients);
  }
  publishAfterCommit(services, afterCommit, { type: 'event.created', event: toWireEvent(event), recipients });
  return ack(event, false);
}

function checkMayPost(
  conversation: ConversationRecord,
  manager: boolean,
  request: SendEventRequest,
  moderator: boolean,
): void {
  const restricted = conversation.readOnly || conversation.kind === 'broadcast';
  // In read-only channels and broadcasts members may still react; content and pins are the managers'.
  if (restricted && !manager && request.kind !== 'reaction') {
    throw new DomainError('CONVERSATION_READ_ONLY', 'only the managers may post here');
  }
  // The pins of a channel are its managers' and moderators' to choose.
  if ((request.kind === 'pin' || request.kind === 'unpin') && conversation.kind === 'channel' && !moderator) {
    throw new DomainError('FORBIDDEN', 'only channel managers and moderators may pin', { permission: 'pin' });
  }
  if (request.mentionsAll === true && conversation.kind === 'channel' && !manager) {
    throw new DomainError('FORBIDDEN', 'only channel managers may mention @channel', {
      permission: 'mention_all',
    });
  }
}

/**
 * Checks what an event refers to and returns whether a delete is a moderator's (someone else's message).
 * Edits and deletes need a message; edits only the sender's own; replies, reactions and pins any visible one.
 */
async function checkReference(
  trx: Trx,
  conversationId: string,
  visibleFromSeq: number,
  actor: Actor,
  moderator: boolean,
  request: SendEventRequest,
  newSeq: number,
): Promise<boolean> {
  const needsRef = request.kind !== 'message';
  if (request.refSeq === undefined) {
    if (needsRef) throw new DomainError('INVALID_REFERENCE', `a ${request.kind} must name refSeq`);
    return false;
  }
  if (request.refSeq >= newSeq || request.refSeq <= visibleFromSeq) {
    throw new DomainError('INVALID_REFERENCE', 'the referenced message is not visible to you');
  }
  const target = await findEvent(trx, conversationId, request.refSeq);
  if (target?.kind !== 'message') {
    throw new DomainError('INVALID_REFERENCE', 'the reference must be a message');
  }
  if (
    request.threadRootSeq !== undefined &&
    (request.threadRootSeq >= newSeq || request.threadRootSeq <= visibleFromSeq)
  ) {
    throw new DomainError('INVALID_REFERENCE', 'the thread root is not visible to you');
  }
  const own = target.senderId === actor.user.id;
  switch (request.kind) {
    case 'edit':
      if (!own) throw new DomainError('INVALID_REFERENCE', 'only the sender may edit a message');
      if (target.deletedAt !== null) throw new DomainError('INVALID_REFERENCE', 'the message was deleted');
      return false;
    case 'delete':
      if (!own && !moderator)
        throw new DomainError('INVALID_REFERENCE', "only moderators may delete others' messages");
      if (target.deletedAt !== null)
        throw new DomainError('INVALID_REFERENCE', 'the message was deleted already');
      return !own;
    case 'message':
    case 'reaction':
    case 'pin':
    case 'unpin':
      return false;
  }
}

/**
 * Appends a server-written `system` event (membership and settings changes) in the caller's transaction, so
 * every device learns of the change in order with the messages around it.
 */
export async function appendSystemEvent(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  conversationId: string,
  details: Readonly<Record<string, unknown>>,
  extraRecipients: readonly string[] = [],
): Promise<ConversationEvent> {
  const now = services.clock.now();
  const seq = await takeNextSeq(trx, conversationId, now);
  const conversation = await findConversation(trx, conversationId);
  if (conversation === undefined)
    throw new Error(`system event for a missing conversation ${conversationId}`);
  const event: EventRecord = {
    conversationId,
    seq,
    kind: 'system',
    senderId: null,
    senderDeviceId: null,
    clientMessageId: null,
    refSeq: null,
    threadRootSeq: null,
    tlp: conversation.tlp,
    mentions: [],
    mentionsAll: false,
    attachments: [],
    payload: null,
    system: details,
    createdAt: now,
    expiresAt: null,
    deletedAt: null,
    deletedByManager: false,
  };
  await insertEvent(trx, event);
  const members = await listMemberIds(trx, conversationId);
  const recipients = [...new Set([...members, ...extraRecipients])];
  const wire = toWireEvent(event);
  publishAfterCommit(services, afterCommit, { type: 'event.created', event: wire, recipients });
  return wire;
}

export function publishAfterCommit(
  services: Services,
  afterCommit: (hook: () => void) => void,
  message: BusMessage,
): void {
  afterCommit(() => services.bus.publish(message));
}
