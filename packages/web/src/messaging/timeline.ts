import { eventPayload } from '@enlets/client';
import type { ConversationEvent, TlpLevel } from '@enlets/protocol';
import { decodeMessage } from './payload-codec.js';

/** One row of the chat view: a message as it stands after its edits and deletion. */
export interface TimelineItem {
  readonly key: string;
  readonly seq: number | null;
  readonly kind: 'message' | 'system';
  readonly senderId: string | null;
  readonly createdAt: number;
  readonly tlp: TlpLevel | null;
  /** The text; null when deleted or unreadable (see `state`). */
  readonly text: string | null;
  readonly state: 'shown' | 'deleted' | 'unreadable' | 'sending' | 'failed';
  readonly edited: boolean;
  /** For `failed`: the error code. */
  readonly failure?: string;
}

/** A message of ours that the server has not delivered back yet (waiting in the outbox, or refused). */
export interface PendingMessage {
  readonly clientMessageId: string;
  readonly text: string;
  readonly createdAt: number;
  readonly senderId: string;
  readonly failure?: string;
}

/**
 * The rows of a conversation from its events (any order, each seq once) and our pending sends. Edits replace
 * the text of the message they refer to, deletions blank it; reactions and pins are not rows. A pending send
 * disappears as soon as its event arrives (same clientMessageId from us), so a message is never shown twice.
 */
export function buildTimeline(
  events: Iterable<ConversationEvent>,
  pending: readonly PendingMessage[],
  ownUserId: string,
): TimelineItem[] {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const rows = new Map<number, TimelineItem>();
  const delivered = new Set<string>();
  for (const event of sorted) {
    if (event.senderId === ownUserId && event.clientMessageId !== null) delivered.add(event.clientMessageId);
    // Reactions, pins and protocol events (MLS commits) are not rows of the timeline.
    if (event.kind === 'message') {
      rows.set(event.seq, messageRow(event));
    } else if (event.kind === 'system') {
      rows.set(event.seq, {
        key: `seq-${String(event.seq)}`,
        seq: event.seq,
        kind: 'system',
        senderId: null,
        createdAt: event.createdAt,
        tlp: null,
        text: null,
        state: 'shown',
        edited: false,
      });
    } else if (event.kind === 'edit') {
      const target = event.refSeq === null ? undefined : rows.get(event.refSeq);
      // Only the author may edit; the server enforces it, and the client does not trust a stray edit either.
      const text = target?.state === 'shown' && target.senderId === event.senderId ? readText(event) : null;
      if (target?.seq != null && text !== null) rows.set(target.seq, { ...target, text, edited: true });
    } else if (event.kind === 'delete') {
      const target = event.refSeq === null ? undefined : rows.get(event.refSeq);
      if (target?.seq != null && target.kind === 'message') {
        rows.set(target.seq, { ...target, text: null, state: 'deleted' });
      }
    }
  }
  const items = [...rows.values()];
  for (const message of pending) {
    if (delivered.has(message.clientMessageId)) continue;
    items.push({
      key: `pending-${message.clientMessageId}`,
      seq: null,
      kind: 'message',
      senderId: message.senderId,
      createdAt: message.createdAt,
      tlp: null,
      text: message.text,
      state: message.failure === undefined ? 'sending' : 'failed',
      edited: false,
      ...(message.failure === undefined ? {} : { failure: message.failure }),
    });
  }
  return items;
}

function messageRow(event: ConversationEvent): TimelineItem {
  const base = {
    key: `seq-${String(event.seq)}`,
    seq: event.seq,
    kind: 'message' as const,
    senderId: event.senderId,
    createdAt: event.createdAt,
    tlp: event.tlp,
    edited: false,
  };
  if (event.payload === null || event.deletedAt !== null) return { ...base, text: null, state: 'deleted' };
  const text = readText(event);
  return text === null ? { ...base, text: null, state: 'unreadable' } : { ...base, text, state: 'shown' };
}

function readText(event: ConversationEvent): string | null {
  const bytes = eventPayload(event);
  if (bytes === null) return null;
  return decodeMessage(bytes)?.text ?? null;
}
