import type { SessionId, TimestampMs, UserId } from '@enlets/protocol';
import { DAY_MS } from '../../lib/clock.js';
import { hashToken, newId, newToken } from '../../lib/secrets.js';
import { flagRemovalPending } from '../../storage/repositories/mls-groups.js';
import {
  insertSession,
  revokeAllSessions,
  revokeSession,
  type SessionKind,
} from '../../storage/repositories/sessions.js';
import type { RequestOrigin } from '../actor.js';
import type { Services, Trx } from '../services.js';

export interface IssuedSession {
  readonly sessionId: SessionId;
  /** Shown to the client once; only its hash is stored. */
  readonly token: string;
  readonly expiresAt: number;
}

/** Opens a session for a user who has just proven who they are (login, activation). */
export async function openSession(
  services: Services,
  trx: Trx,
  userId: UserId,
  kind: SessionKind,
  origin: RequestOrigin,
  deviceLabel: string | null,
): Promise<IssuedSession> {
  const token = newToken();
  const now = services.clock.now();
  const sessionId = newId<SessionId>();
  const expiresAt = now + services.config.sessionTtlDays * DAY_MS;
  await insertSession(trx, {
    id: sessionId,
    userId,
    tokenHash: hashToken(token),
    kind,
    now,
    expiresAt,
    userAgent: origin.userAgent?.slice(0, 300) ?? null,
    ip: origin.ip,
    deviceLabel,
  });
  return { sessionId, token, expiresAt };
}

/**
 * Ends one session of a user (logout, remote logout). The session is a device (ADR 0011): every MLS group
 * holding its leaf is flagged in the same transaction, so nothing new is encrypted to it before a member
 * commits its removal. False when the session is not the user's or ended already.
 */
export async function endSession(
  trx: Trx,
  userId: UserId,
  sessionId: SessionId,
  now: TimestampMs,
): Promise<boolean> {
  const ended = await revokeSession(trx, userId, sessionId, now);
  if (ended) await flagRemovalPending(trx, { userIds: [userId], deviceIds: [sessionId], at: now });
  return ended;
}

/**
 * Ends every session of a user, except `except` when given (password change), flagging the groups that hold
 * their leaves. Flags even when no session was live: a suspension also ends the leaves of expired ones.
 */
export async function endAllSessions(
  trx: Trx,
  userId: UserId,
  now: TimestampMs,
  except?: SessionId,
): Promise<number> {
  const count = await revokeAllSessions(trx, userId, now, except);
  await flagRemovalPending(trx, {
    userIds: [userId],
    at: now,
    ...(except === undefined ? {} : { exceptDeviceId: except }),
  });
  return count;
}
