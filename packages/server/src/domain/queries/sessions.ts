import { hashToken } from '../../lib/secrets.js';
import { MINUTE_MS } from '../../lib/clock.js';
import { findLiveSessionByTokenHash, touchSession } from '../../storage/repositories/sessions.js';
import { findUserById, listRoles } from '../../storage/repositories/users.js';
import type { Actor } from '../actor.js';
import type { Services } from '../services.js';

/** last_used_at is written at most this often per session, so reads do not each cost a write. */
const TOUCH_INTERVAL_MS = MINUTE_MS;

/**
 * The actor behind a session token, or undefined when the token is unknown, expired or revoked, or the account
 * is not active: suspension and removal end every session at once.
 */
export async function resolveSessionToken(services: Services, token: string): Promise<Actor | undefined> {
  const now = services.clock.now();
  const session = await findLiveSessionByTokenHash(services.db, hashToken(token), now);
  if (session === undefined) return undefined;
  const user = await findUserById(services.db, session.userId);
  if (user?.status !== 'active') return undefined;
  const roles = await listRoles(services.db, user.id);
  if (now - session.lastUsedAt >= TOUCH_INTERVAL_MS) await touchSession(services.db, session.id, now);
  return { user, roles, session };
}
