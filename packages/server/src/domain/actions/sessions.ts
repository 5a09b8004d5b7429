import type { SessionId, UserId } from '@enlets/protocol';
import { DAY_MS } from '../../lib/clock.js';
import { hashToken, newId, newToken } from '../../lib/secrets.js';
import { insertSession, type SessionKind } from '../../storage/repositories/sessions.js';
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
