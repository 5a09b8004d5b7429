import { sharesConversation } from '../../storage/repositories/e2ee-peers.js';
import { findUserById, type Db, type UserRecord } from '../../storage/repositories/users.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import { hasPermission } from '../policy.js';

/**
 * A user whose devices and key packages the actor may ask for: an active account the actor can see, because
 * it is in the directory the actor reads (`directory.read`) or because the two share a conversation (partner
 * guests do not read the directory). An unknown id, an account that is not active, and someone the actor
 * cannot see all answer NOT_FOUND alike, naming the id the caller sent.
 */
export async function accessE2eePeer(db: Db, actor: Actor, userId: string): Promise<UserRecord> {
  const refused = new DomainError('NOT_FOUND', 'user not found', { userId });
  const user = await findUserById(db, userId);
  if (user?.status !== 'active') throw refused;
  if (user.id === actor.user.id || hasPermission(actor, 'directory.read')) return user;
  if (await sharesConversation(db, actor.user.id, user.id)) return user;
  throw refused;
}
