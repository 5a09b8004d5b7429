import type { SessionId, TimestampMs, UserId } from '@enlets/protocol';
import type { SessionRow } from '../schema.js';
import type { Db } from './users.js';

export type SessionKind = 'cookie' | 'bearer';

export interface SessionRecord {
  readonly id: SessionId;
  readonly userId: UserId;
  readonly kind: SessionKind;
  readonly createdAt: TimestampMs;
  readonly lastUsedAt: TimestampMs;
  readonly expiresAt: TimestampMs;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly deviceLabel: string | null;
  readonly revokedAt: TimestampMs | null;
}

function rowToSession(row: SessionRow): SessionRecord {
  return {
    id: row.id as SessionId,
    userId: row.user_id as UserId,
    kind: row.kind as SessionKind,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    userAgent: row.user_agent,
    ip: row.ip,
    deviceLabel: row.device_label,
    revokedAt: row.revoked_at,
  };
}

export interface NewSession {
  readonly id: SessionId;
  readonly userId: UserId;
  readonly tokenHash: string;
  readonly kind: SessionKind;
  readonly now: TimestampMs;
  readonly expiresAt: TimestampMs;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly deviceLabel: string | null;
}

export async function insertSession(db: Db, s: NewSession): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: s.id,
      user_id: s.userId,
      token_hash: s.tokenHash,
      kind: s.kind,
      created_at: s.now,
      last_used_at: s.now,
      expires_at: s.expiresAt,
      user_agent: s.userAgent,
      ip: s.ip,
      device_label: s.deviceLabel,
      revoked_at: null,
    })
    .execute();
}

/** A live session by the hash of its token: not revoked, not expired. */
export async function findLiveSessionByTokenHash(
  db: Db,
  tokenHash: string,
  now: TimestampMs,
): Promise<SessionRecord | undefined> {
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row && rowToSession(row);
}

export async function touchSession(db: Db, id: SessionId, now: TimestampMs): Promise<void> {
  await db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function listLiveSessions(
  db: Db,
  userId: UserId,
  now: TimestampMs,
): Promise<readonly SessionRecord[]> {
  const rows = await db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('last_used_at', 'desc')
    .execute();
  return rows.map(rowToSession);
}

/** Revokes one session of a user; false when it is not theirs or already gone (the caller answers 404). */
export async function revokeSession(
  db: Db,
  userId: UserId,
  id: SessionId,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Revokes every session of a user, except one (the caller's own, on a password change) when given. */
export async function revokeAllSessions(
  db: Db,
  userId: UserId,
  now: TimestampMs,
  except?: SessionId,
): Promise<number> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (except !== undefined) query = query.where('id', '!=', except);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
