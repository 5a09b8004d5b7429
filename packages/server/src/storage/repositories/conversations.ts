import type { Selectable } from 'kysely';
import type {
  ConversationKind,
  HistoryForNewcomers,
  JoinMode,
  MemberRole,
  TimestampMs,
  TlpLevel,
  UserId,
} from '@enlets/protocol';
import type { ConversationMemberRow, ConversationRow } from '../schema.js';
import type { Db } from './users.js';

export interface ConversationRecord {
  readonly id: string;
  readonly kind: ConversationKind;
  readonly name: string | null;
  readonly description: string | null;
  readonly tlp: TlpLevel;
  readonly joinMode: JoinMode | null;
  readonly listed: boolean;
  readonly passwordHash: string | null;
  readonly readOnly: boolean;
  readonly leaveAllowed: boolean;
  readonly scopeKind: string | null;
  readonly scopeId: string | null;
  readonly messageTtlMs: number | null;
  readonly historyVisible: boolean;
  /** Whether members may share earlier messages with newcomers (ADR 0016); new conversations start `off`. */
  readonly historyForNewcomers: HistoryForNewcomers;
  readonly directKey: string | null;
  readonly headSeq: number;
  readonly createdBy: UserId | null;
  readonly createdAt: TimestampMs;
  readonly updatedAt: TimestampMs;
}

export function rowToConversation(row: Selectable<ConversationRow>): ConversationRecord {
  return {
    id: row.id,
    kind: row.kind as ConversationKind,
    name: row.name,
    description: row.description,
    tlp: row.tlp as TlpLevel,
    joinMode: row.join_mode as JoinMode | null,
    listed: row.listed === 1,
    passwordHash: row.password_hash,
    readOnly: row.read_only === 1,
    leaveAllowed: row.leave_allowed === 1,
    scopeKind: row.scope_kind,
    scopeId: row.scope_id,
    messageTtlMs: row.message_ttl_ms,
    historyVisible: row.history_visible === 1,
    historyForNewcomers: row.history_for_newcomers === 'on' ? 'on' : 'off',
    directKey: row.direct_key,
    headSeq: row.head_seq,
    createdBy: row.created_by as UserId | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface MembershipRecord {
  readonly conversationId: string;
  readonly userId: UserId;
  readonly role: MemberRole;
  readonly joinedAt: TimestampMs;
  readonly visibleFromSeq: number;
  readonly lastReadSeq: number;
  readonly muted: boolean;
  readonly favourite: boolean;
  readonly archived: boolean;
  readonly markedUnread: boolean;
}

export function rowToMembership(row: Selectable<ConversationMemberRow>): MembershipRecord {
  return {
    conversationId: row.conversation_id,
    userId: row.user_id as UserId,
    role: row.role as MemberRole,
    joinedAt: row.joined_at,
    visibleFromSeq: row.visible_from_seq,
    lastReadSeq: row.last_read_seq,
    muted: row.muted === 1,
    favourite: row.favourite === 1,
    archived: row.archived === 1,
    markedUnread: row.marked_unread === 1,
  };
}

/** A new conversation; history for newcomers starts `off` (the column's default) and changes only by its route. */
export type NewConversation = Omit<ConversationRecord, 'headSeq' | 'updatedAt' | 'historyForNewcomers'>;

function conversationValues(c: NewConversation) {
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    description: c.description,
    tlp: c.tlp,
    join_mode: c.joinMode,
    listed: c.listed ? 1 : 0,
    password_hash: c.passwordHash,
    read_only: c.readOnly ? 1 : 0,
    leave_allowed: c.leaveAllowed ? 1 : 0,
    scope_kind: c.scopeKind,
    scope_id: c.scopeId,
    message_ttl_ms: c.messageTtlMs,
    history_visible: c.historyVisible ? 1 : 0,
    direct_key: c.directKey,
    head_seq: 0,
    created_by: c.createdBy,
    created_at: c.createdAt,
    updated_at: c.createdAt,
  };
}

export async function insertConversation(db: Db, c: NewConversation): Promise<void> {
  await db.insertInto('conversations').values(conversationValues(c)).execute();
}

export async function findConversation(db: Db, id: string): Promise<ConversationRecord | undefined> {
  const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  return row && rowToConversation(row);
}

export async function findDirectConversation(
  db: Db,
  directKey: string,
): Promise<ConversationRecord | undefined> {
  const row = await db
    .selectFrom('conversations')
    .selectAll()
    .where('direct_key', '=', directKey)
    .executeTakeFirst();
  return row && rowToConversation(row);
}

export type ConversationPatch = Partial<{
  name: string | null;
  description: string | null;
  tlp: TlpLevel;
  joinMode: JoinMode | null;
  listed: boolean;
  passwordHash: string | null;
  readOnly: boolean;
  leaveAllowed: boolean;
  messageTtlMs: number | null;
  historyVisible: boolean;
  historyForNewcomers: HistoryForNewcomers;
}>;

export async function updateConversation(
  db: Db,
  id: string,
  patch: ConversationPatch,
  now: TimestampMs,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.tlp !== undefined && { tlp: patch.tlp }),
      ...(patch.joinMode !== undefined && { join_mode: patch.joinMode }),
      ...(patch.listed !== undefined && { listed: patch.listed ? 1 : 0 }),
      ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
      ...(patch.readOnly !== undefined && { read_only: patch.readOnly ? 1 : 0 }),
      ...(patch.leaveAllowed !== undefined && { leave_allowed: patch.leaveAllowed ? 1 : 0 }),
      ...(patch.messageTtlMs !== undefined && { message_ttl_ms: patch.messageTtlMs }),
      ...(patch.historyVisible !== undefined && { history_visible: patch.historyVisible ? 1 : 0 }),
      ...(patch.historyForNewcomers !== undefined && { history_for_newcomers: patch.historyForNewcomers }),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Takes the next seq of a conversation. The update locks the conversation's row until the transaction ends
 * (PostgreSQL) or runs under SQLite's single writer, so seqs are gap-free and never handed out twice.
 */
export async function takeNextSeq(db: Db, conversationId: string, now: TimestampMs): Promise<number> {
  const row = await db
    .updateTable('conversations')
    .set((eb) => ({ head_seq: eb('head_seq', '+', 1), updated_at: now }))
    .where('id', '=', conversationId)
    .returning('head_seq')
    .executeTakeFirstOrThrow();
  return row.head_seq;
}

export async function findMembership(
  db: Db,
  conversationId: string,
  userId: string,
): Promise<MembershipRecord | undefined> {
  const row = await db
    .selectFrom('conversation_members')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && rowToMembership(row);
}

export async function listMemberIds(db: Db, conversationId: string): Promise<readonly UserId[]> {
  const rows = await db
    .selectFrom('conversation_members')
    .select('user_id')
    .where('conversation_id', '=', conversationId)
    .execute();
  return rows.map((r) => r.user_id as UserId);
}

export async function listMemberships(db: Db, conversationId: string): Promise<readonly MembershipRecord[]> {
  const rows = await db
    .selectFrom('conversation_members')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('joined_at')
    .execute();
  return rows.map(rowToMembership);
}

export interface NewMembership {
  readonly conversationId: string;
  readonly userId: UserId;
  readonly role: MemberRole;
  readonly joinedAt: TimestampMs;
  readonly visibleFromSeq: number;
}

/** Adds a member; false when they are a member already. */
export async function insertMembership(db: Db, m: NewMembership): Promise<boolean> {
  const result = await db
    .insertInto('conversation_members')
    .values({
      conversation_id: m.conversationId,
      user_id: m.userId,
      role: m.role,
      joined_at: m.joinedAt,
      visible_from_seq: m.visibleFromSeq,
      last_read_seq: m.visibleFromSeq,
      muted: 0,
      favourite: 0,
      archived: 0,
      marked_unread: 0,
    })
    .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteMembership(db: Db, conversationId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('conversation_members')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export type MembershipPatch = Partial<{
  role: MemberRole;
  lastReadSeq: number;
  muted: boolean;
  favourite: boolean;
  archived: boolean;
  markedUnread: boolean;
}>;

export async function updateMembership(
  db: Db,
  conversationId: string,
  userId: string,
  patch: MembershipPatch,
): Promise<void> {
  await db
    .updateTable('conversation_members')
    .set({
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.lastReadSeq !== undefined && { last_read_seq: patch.lastReadSeq }),
      ...(patch.muted !== undefined && { muted: patch.muted ? 1 : 0 }),
      ...(patch.favourite !== undefined && { favourite: patch.favourite ? 1 : 0 }),
      ...(patch.archived !== undefined && { archived: patch.archived ? 1 : 0 }),
      ...(patch.markedUnread !== undefined && { marked_unread: patch.markedUnread ? 1 : 0 }),
    })
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .execute();
}

/** Moves a read position forward only (a late, older receipt never moves it back). */
export async function advanceLastRead(
  db: Db,
  conversationId: string,
  userId: string,
  seq: number,
): Promise<boolean> {
  const result = await db
    .updateTable('conversation_members')
    .set({ last_read_seq: seq, marked_unread: 0 })
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where('last_read_seq', '<', seq)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Lets a member see events from `fromSeq` on (a history share, ADR 0016): moves the visibility floor back only,
 * never forward, so a narrower later share cannot hide what an earlier one opened.
 */
export async function extendVisibilityBack(
  db: Db,
  conversationId: string,
  userId: string,
  fromSeq: number,
): Promise<void> {
  await db
    .updateTable('conversation_members')
    .set({ visible_from_seq: fromSeq - 1 })
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where('visible_from_seq', '>', fromSeq - 1)
    .execute();
}

/** The membership columns selected next to a conversation's (`conversation_members as m`). */
export const MEMBERSHIP_COLUMNS = [
  'm.conversation_id',
  'm.user_id',
  'm.role',
  'm.joined_at',
  'm.visible_from_seq',
  'm.last_read_seq',
  'm.muted',
  'm.favourite',
  'm.archived',
  'm.marked_unread',
] as const;

/** A user's memberships with each conversation's head: the input of sync and of the conversation list. */
export async function listUserConversations(
  db: Db,
  userId: string,
): Promise<
  ReadonlyArray<{ readonly membership: MembershipRecord; readonly conversation: ConversationRecord }>
> {
  const rows = await db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('c')
    .select(MEMBERSHIP_COLUMNS)
    .where('m.user_id', '=', userId)
    .execute();
  return rows.map((row) => ({ membership: rowToMembership(row), conversation: rowToConversation(row) }));
}

/**
 * Locks a conversation's row for the rest of the transaction (PostgreSQL; SQLite has one writer anyway) and
 * returns it as it is now: membership and settings changes read a head seq no concurrent send can move.
 */
export async function lockConversation(
  db: Db,
  id: string,
  now: TimestampMs,
): Promise<ConversationRecord | undefined> {
  const row = await db
    .updateTable('conversations')
    .set({ updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && rowToConversation(row);
}

/** Creates a 1:1 conversation unless its pair has one (then false: a concurrent create won the race). */
export async function insertDirectConversation(db: Db, c: NewConversation): Promise<boolean> {
  const result = await db
    .insertInto('conversations')
    .values(conversationValues(c))
    .onConflict((oc) => oc.column('direct_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
