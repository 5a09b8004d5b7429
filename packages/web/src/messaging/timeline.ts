import type { TlpLevel } from '@enlets/protocol';
import type { ShownContent, ShownEvent, ShownFile } from '../e2ee/worker-protocol.js';

/** A reaction on a message: which emoji, how many people, and whether one of them is us. */
export interface ReactionCount {
  readonly emoji: string;
  readonly count: number;
  readonly mine: boolean;
}

/** The message a reply answers, as far as this device can show it. */
export interface ReplyPreview {
  readonly seq: number;
  readonly senderId: string | null;
  /** Its text; null when it is not loaded, deleted or unreadable. */
  readonly text: string | null;
}

/** One row of the chat view: a message as it stands after its edits, reactions and deletion. */
export interface TimelineItem {
  readonly key: string;
  readonly seq: number | null;
  readonly kind: 'message' | 'system';
  readonly senderId: string | null;
  readonly createdAt: number;
  readonly tlp: TlpLevel | null;
  /** The text; null when deleted or unreadable (see `state`). */
  readonly text: string | null;
  /**
   * `unavailable`: sent before this device could read it (end-to-end encryption). `unreadable`: it failed a
   * check or is not content this client understands.
   */
  readonly state: 'shown' | 'deleted' | 'unreadable' | 'unavailable' | 'sending' | 'failed';
  readonly edited: boolean;
  /** For `deleted`: a manager or moderator deleted it, not its author. */
  readonly deletedByManager: boolean;
  /** Users the message mentions (from its routing metadata), and whether it mentions everyone. */
  readonly mentions: readonly string[];
  readonly reactions: readonly ReactionCount[];
  /** Attached files (each downloaded and decrypted on request). */
  readonly files: readonly ShownFile[];
  readonly replyTo?: ReplyPreview;
  /** For messages shared with this device when it joined (ADR 0016): who shared them. */
  readonly sharedBy?: string;
  /** For our pending sends with files: upload progress, 0 to 1. */
  readonly progress?: number;
  /** For `failed`: the error code. */
  readonly failure?: string;
}

/** A message of ours that the server has not delivered back yet (waiting in the outbox, or refused). */
export interface PendingMessage {
  readonly clientMessageId: string;
  readonly text: string;
  readonly createdAt: number;
  readonly senderId: string;
  readonly replyToSeq?: number;
  readonly files?: readonly ShownFile[];
  readonly progress?: number;
  readonly failure?: string;
}

/**
 * The rows of a conversation from its events (any order, each seq once) and our pending sends. Edits replace
 * the text of the message they refer to, deletions blank it, reactions are counted on it; commits and pins
 * are not rows. A pending send disappears as soon as its event arrives (same clientMessageId from us), so a
 * message is never shown twice.
 */
export function buildTimeline(
  events: Iterable<ShownEvent>,
  pending: readonly PendingMessage[],
  ownUserId: string,
): TimelineItem[] {
  const sorted = [...events].sort((a, b) => a.event.seq - b.event.seq);
  const rows = new Map<number, TimelineItem>();
  /** Per message seq: per reacting user, their emoji (a later reaction of the same user replaces theirs). */
  const reactions = new Map<number, Map<string, string>>();
  const delivered = new Set<string>();
  for (const shown of sorted) {
    const { event, content } = shown;
    if (event.senderId === ownUserId && event.clientMessageId !== null) delivered.add(event.clientMessageId);
    const target = event.refSeq === null ? undefined : rows.get(event.refSeq);
    switch (event.kind) {
      case 'message':
        // A history bundle's key is the encryption's bookkeeping; what it brought shows as shared messages.
        if (content?.type !== 'history-share') rows.set(event.seq, messageRow(shown, rows));
        break;
      case 'system':
        rows.set(event.seq, { ...rowBase(shown), kind: 'system', senderId: null, tlp: null });
        break;
      case 'edit': {
        // Only the author may edit; the server enforces it, and the client does not trust a stray edit either.
        const text = content?.type === 'edit' ? content.text : null;
        if (
          target?.seq != null &&
          target.state === 'shown' &&
          target.senderId === event.senderId &&
          text !== null
        )
          rows.set(target.seq, { ...target, text, edited: true });
        break;
      }
      case 'reaction':
        if (target?.seq != null && content?.type === 'reaction' && event.senderId !== null) {
          const byUser = reactions.get(target.seq) ?? new Map<string, string>();
          byUser.set(event.senderId, content.emoji);
          reactions.set(target.seq, byUser);
        }
        break;
      case 'delete':
        if (target?.seq != null && target.kind === 'message')
          rows.set(target.seq, {
            ...target,
            text: null,
            state: 'deleted',
            reactions: [],
            files: [],
            deletedByManager: event.senderId !== target.senderId,
          });
        break;
      case 'pin':
      case 'unpin':
      case 'mls.commit':
        // Not rows: pins show in the header, commits are the encryption's own bookkeeping.
        break;
    }
  }
  for (const [seq, byUser] of reactions) {
    const row = rows.get(seq);
    if (row === undefined || row.state === 'deleted') continue;
    rows.set(seq, { ...row, reactions: countReactions(byUser, ownUserId) });
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
      deletedByManager: false,
      mentions: [],
      reactions: [],
      files: message.files ?? [],
      ...(message.progress === undefined ? {} : { progress: message.progress }),
      ...(message.replyToSeq === undefined ? {} : { replyTo: preview(message.replyToSeq, rows) }),
      ...(message.failure === undefined ? {} : { failure: message.failure }),
    });
  }
  return items;
}

function rowBase(shown: ShownEvent): Omit<TimelineItem, 'kind' | 'senderId' | 'tlp'> {
  return {
    key: `seq-${String(shown.event.seq)}`,
    seq: shown.event.seq,
    createdAt: shown.event.createdAt,
    text: null,
    state: 'shown',
    edited: false,
    deletedByManager: shown.event.deletedByManager,
    mentions: shown.event.mentions,
    reactions: [],
    files: [],
  };
}

function messageRow(shown: ShownEvent, rows: ReadonlyMap<number, TimelineItem>): TimelineItem {
  const { event } = shown;
  const base = {
    ...rowBase(shown),
    kind: 'message' as const,
    senderId: event.senderId,
    tlp: event.tlp,
    ...(event.refSeq === null ? {} : { replyTo: preview(event.refSeq, rows) }),
    ...(shown.sharedBy === undefined ? {} : { sharedBy: shown.sharedBy }),
  };
  if (event.payload === null || event.deletedAt !== null || shown.status === 'deleted')
    return { ...base, state: 'deleted' };
  if (shown.status === 'unavailable') return { ...base, state: 'unavailable' };
  const text = messageText(shown.content);
  const files = shown.content?.type === 'files' ? shown.content.files : [];
  return text === null ? { ...base, state: 'unreadable' } : { ...base, text, files, state: 'shown' };
}

/** The text a message shows: its text, or the text that came with its files. */
function messageText(content: ShownContent | null): string | null {
  if (content?.type === 'text') return content.text;
  if (content?.type === 'files') return content.text ?? '';
  return null;
}

function preview(seq: number, rows: ReadonlyMap<number, TimelineItem>): ReplyPreview {
  const row = rows.get(seq);
  return { seq, senderId: row?.senderId ?? null, text: row?.state === 'shown' ? row.text : null };
}

function countReactions(byUser: ReadonlyMap<string, string>, ownUserId: string): ReactionCount[] {
  const counts = new Map<string, { count: number; mine: boolean }>();
  for (const [userId, emoji] of byUser) {
    const current = counts.get(emoji) ?? { count: 0, mine: false };
    counts.set(emoji, { count: current.count + 1, mine: current.mine || userId === ownUserId });
  }
  return [...counts].map(([emoji, { count, mine }]) => ({ emoji, count, mine }));
}

/**
 * The rows of `next`, each replaced by the row of `previous` with its key where the two are alike: a rebuild
 * (a page of older messages, a live event) then hands the same objects for the rows it did not change, and
 * the timeline re-renders only the rows that did.
 */
export function keepUnchangedRows(
  previous: readonly TimelineItem[],
  next: readonly TimelineItem[],
): TimelineItem[] {
  const byKey = new Map(previous.map((item) => [item.key, item]));
  return next.map((item) => {
    const before = byKey.get(item.key);
    return before !== undefined && alike(before, item) ? before : item;
  });
}

/** Structural equality of plain data (what rows are made of: strings, numbers, arrays, plain objects). */
function alike(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, index) => alike(value, b[index]));
  }
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every(
    (key) => key in b && alike((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
