import { sql } from 'kysely';
import type { TimestampMs, UserId } from '@enlets/protocol';
import { rowToConversation, type ConversationRecord } from './conversations.js';
import type { Db } from './users.js';

export interface DirectoryEntry {
  readonly conversation: ConversationRecord;
  readonly memberCount: number;
  readonly joined: boolean;
}

export interface DirectoryFilter {
  readonly userId: string;
  /** Only channels the user is a member of (partner guests). */
  readonly joinedOnly: boolean;
  /** Lower-cased part of the name. */
  readonly nameContains?: string;
  readonly scopeKind?: string;
  /** Keyset: entries after this (name, id). */
  readonly after?: { readonly name: string; readonly id: string };
  readonly limit: number;
}

/** Listed channels by name, with their member counts and whether the user is in each. */
export async function listDirectoryChannels(db: Db, f: DirectoryFilter): Promise<readonly DirectoryEntry[]> {
  let query = db
    .selectFrom('conversations as c')
    .selectAll('c')
    .select((eb) => [
      eb
        .selectFrom('conversation_members as n')
        .select((e) => e.fn.countAll<number | string>().as('n'))
        .whereRef('n.conversation_id', '=', 'c.id')
        .as('member_count'),
      eb
        .exists(
          eb
            .selectFrom('conversation_members as j')
            .select('j.user_id')
            .whereRef('j.conversation_id', '=', 'c.id')
            .where('j.user_id', '=', f.userId),
        )
        .as('joined'),
    ])
    .where('c.kind', '=', 'channel')
    .where('c.listed', '=', 1);
  if (f.joinedOnly) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('conversation_members as g')
          .select('g.user_id')
          .whereRef('g.conversation_id', '=', 'c.id')
          .where('g.user_id', '=', f.userId),
      ),
    );
  }
  if (f.nameContains !== undefined) {
    const pattern = `%${f.nameContains.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    query = query.where(sql<boolean>`lower(c.name) like ${pattern} escape '\\'`);
  }
  if (f.scopeKind !== undefined) query = query.where('c.scope_kind', '=', f.scopeKind);
  const after = f.after;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('c.name', '>', after.name),
        eb.and([eb('c.name', '=', after.name), eb('c.id', '>', after.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('c.name').orderBy('c.id').limit(f.limit).execute();
  return rows.map((row) => ({
    conversation: rowToConversation(row),
    memberCount: Number(row.member_count ?? 0),
    joined: Boolean(row.joined),
  }));
}

export async function countMembers(db: Db, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('conversation_members')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Records a request to join a closed channel; false when one is waiting already. */
export async function insertChannelRequest(
  db: Db,
  conversationId: string,
  userId: string,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .insertInto('channel_requests')
    .values({ conversation_id: conversationId, user_id: userId, requested_at: now })
    .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Removes a waiting request; false when there was none. */
export async function deleteChannelRequest(db: Db, conversationId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('channel_requests')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface ChannelRequestRecord {
  readonly userId: UserId;
  readonly displayName: string;
  readonly requestedAt: TimestampMs;
}

export async function listChannelRequests(
  db: Db,
  conversationId: string,
): Promise<readonly ChannelRequestRecord[]> {
  const rows = await db
    .selectFrom('channel_requests as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.user_id', 'u.display_name', 'r.requested_at'])
    .where('r.conversation_id', '=', conversationId)
    .orderBy('r.requested_at')
    .orderBy('r.user_id')
    .execute();
  return rows.map((r) => ({
    userId: r.user_id as UserId,
    displayName: r.display_name,
    requestedAt: r.requested_at,
  }));
}
