import type { Selectable } from 'kysely';
import type { EventKind, TimestampMs, TlpLevel, UserId } from '@enlets/protocol';
import type { EventRow } from '../schema.js';
import type { Db } from './users.js';
import { listEventAttachments } from './blobs.js';

export interface EventRecord {
  readonly conversationId: string;
  readonly seq: number;
  readonly kind: EventKind;
  readonly senderId: UserId | null;
  readonly senderDeviceId: string | null;
  readonly clientMessageId: string | null;
  readonly refSeq: number | null;
  readonly threadRootSeq: number | null;
  readonly tlp: TlpLevel;
  readonly mentions: readonly UserId[];
  readonly mentionsAll: boolean;
  /** Blob ids the message carries (stored in event_attachments by the attachments feature). */
  readonly attachments: readonly string[];
  readonly payload: Uint8Array | null;
  readonly system: Readonly<Record<string, unknown>> | null;
  readonly createdAt: TimestampMs;
  readonly expiresAt: TimestampMs | null;
  readonly deletedAt: TimestampMs | null;
  readonly deletedByManager: boolean;
}

function rowToEvent(
  row: Selectable<EventRow>,
  mentions: readonly UserId[],
  attachments: readonly string[] = [],
): EventRecord {
  return {
    conversationId: row.conversation_id,
    seq: row.seq,
    kind: row.kind as EventKind,
    senderId: row.sender_id as UserId | null,
    senderDeviceId: row.sender_device_id,
    clientMessageId: row.client_message_id,
    refSeq: row.ref_seq,
    threadRootSeq: row.thread_root_seq,
    tlp: row.tlp as TlpLevel,
    mentions,
    mentionsAll: row.mentions_all === 1,
    attachments,
    payload: row.payload === null ? null : new Uint8Array(row.payload),
    system: row.system === null ? null : (JSON.parse(row.system) as Record<string, unknown>),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    deletedAt: row.deleted_at,
    deletedByManager: row.deleted_by_manager === 1,
  };
}

function eventRow(e: EventRecord) {
  return {
    conversation_id: e.conversationId,
    seq: e.seq,
    kind: e.kind,
    sender_id: e.senderId,
    sender_device_id: e.senderDeviceId,
    client_message_id: e.clientMessageId,
    ref_seq: e.refSeq,
    thread_root_seq: e.threadRootSeq,
    tlp: e.tlp,
    mentions_all: e.mentionsAll ? 1 : 0,
    payload: e.payload,
    system: e.system === null ? null : JSON.stringify(e.system),
    created_at: e.createdAt,
    expires_at: e.expiresAt,
    deleted_at: e.deletedAt,
    deleted_by_manager: e.deletedByManager ? 1 : 0,
  };
}

async function insertMentions(db: Db, e: EventRecord): Promise<void> {
  if (e.mentions.length === 0) return;
  await db
    .insertInto('event_mentions')
    .values(e.mentions.map((userId) => ({ conversation_id: e.conversationId, user_id: userId, seq: e.seq })))
    .execute();
}

export async function insertEvent(db: Db, e: EventRecord): Promise<void> {
  await db.insertInto('events').values(eventRow(e)).execute();
  await insertMentions(db, e);
}

/**
 * Inserts a member's event unless the same sender stored the same client message id in the conversation
 * already (the unique constraint decides, in the same statement): false for such a retry, which then stores
 * nothing. One statement instead of a lookup before the insert.
 */
export async function insertEventOnce(db: Db, e: EventRecord): Promise<boolean> {
  const inserted = await db
    .insertInto('events')
    .values(eventRow(e))
    .onConflict((oc) => oc.columns(['conversation_id', 'sender_id', 'client_message_id']).doNothing())
    .returning('seq')
    .executeTakeFirst();
  if (inserted === undefined) return false;
  await insertMentions(db, e);
  return true;
}

async function withMentions(db: Db, rows: ReadonlyArray<Selectable<EventRow>>): Promise<EventRecord[]> {
  if (rows.length === 0) return [];
  const mentioned = rows.filter((r) => r.kind === 'message' || r.kind === 'edit');
  const byKey = new Map<string, UserId[]>();
  if (mentioned.length > 0) {
    const conversationIds = [...new Set(mentioned.map((r) => r.conversation_id))];
    const seqs = [...new Set(mentioned.map((r) => r.seq))];
    const mentionRows = await db
      .selectFrom('event_mentions')
      .selectAll()
      .where('conversation_id', 'in', conversationIds)
      .where('seq', 'in', seqs)
      .execute();
    for (const m of mentionRows) {
      const key = `${m.conversation_id}:${String(m.seq)}`;
      const list = byKey.get(key) ?? [];
      list.push(m.user_id as UserId);
      byKey.set(key, list);
    }
  }
  const attachments = await listEventAttachments(db, rows);
  return rows.map((row) => {
    const key = `${row.conversation_id}:${String(row.seq)}`;
    return rowToEvent(row, byKey.get(key) ?? [], attachments.get(key) ?? []);
  });
}

export async function findEventByClientId(
  db: Db,
  conversationId: string,
  senderId: string,
  clientMessageId: string,
): Promise<EventRecord | undefined> {
  const row = await db
    .selectFrom('events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('sender_id', '=', senderId)
    .where('client_message_id', '=', clientMessageId)
    .executeTakeFirst();
  return row === undefined ? undefined : (await withMentions(db, [row]))[0];
}

export async function findEvent(
  db: Db,
  conversationId: string,
  seq: number,
): Promise<EventRecord | undefined> {
  const row = await db
    .selectFrom('events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row === undefined ? undefined : (await withMentions(db, [row]))[0];
}

/** Events with afterSeq < seq, oldest first. */
export async function listEventsAfter(
  db: Db,
  conversationId: string,
  afterSeq: number,
  limit: number,
): Promise<readonly EventRecord[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
  return withMentions(db, rows);
}

/** Events with floorSeq < seq < beforeSeq, newest first (scrolling back). */
export async function listEventsBefore(
  db: Db,
  conversationId: string,
  beforeSeq: number,
  floorSeq: number,
  limit: number,
): Promise<readonly EventRecord[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '<', beforeSeq)
    .where('seq', '>', floorSeq)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return withMentions(db, rows);
}

/**
 * Removes the content of a message (delete, expiry) and of the edits and reactions that refer to it: the seqs
 * stay so the log has no gap.
 */
export async function eraseEventPayload(
  db: Db,
  conversationId: string,
  seq: number,
  now: TimestampMs,
  byManager: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable('events')
    .set({ payload: null, deleted_at: now, deleted_by_manager: byManager ? 1 : 0 })
    .where('conversation_id', '=', conversationId)
    .where('seq', '=', seq)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  // Edits carry the new text and reactions an emoji: they go with the message they refer to.
  await db
    .updateTable('events')
    .set({ payload: null, deleted_at: now })
    .where('conversation_id', '=', conversationId)
    .where('ref_seq', '=', seq)
    .where('kind', 'in', ['edit', 'reaction'])
    .where('deleted_at', 'is', null)
    .execute();
  return Number(result.numUpdatedRows) > 0;
}

/** Expired messages due for erasure. */
export async function listExpiredEvents(
  db: Db,
  now: TimestampMs,
  limit: number,
): Promise<ReadonlyArray<{ conversationId: string; seq: number }>> {
  const rows = await db
    .selectFrom('events')
    .select(['conversation_id', 'seq'])
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', now)
    .where('deleted_at', 'is', null)
    .limit(limit)
    .execute();
  return rows.map((r) => ({ conversationId: r.conversation_id, seq: r.seq }));
}
