import type { ConversationEvent } from '@enlets/protocol';
import type { EventRecord } from '../storage/repositories/events.js';

/** An event as clients receive it: payload bytes as base64, everything else as stored. */
export function toWireEvent(e: EventRecord): ConversationEvent {
  return {
    conversationId: e.conversationId,
    seq: e.seq,
    kind: e.kind,
    senderId: e.senderId,
    senderDeviceId: e.senderDeviceId,
    clientMessageId: e.clientMessageId,
    refSeq: e.refSeq,
    threadRootSeq: e.threadRootSeq,
    tlp: e.tlp,
    mentions: [...e.mentions],
    mentionsAll: e.mentionsAll,
    attachments: [...e.attachments],
    payload: e.payload === null ? null : Buffer.from(e.payload).toString('base64'),
    system: e.system === null ? null : { ...e.system },
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    deletedAt: e.deletedAt,
    deletedByManager: e.deletedByManager,
  };
}
