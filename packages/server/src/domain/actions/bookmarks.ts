import { deleteBookmark, insertBookmark } from '../../storage/repositories/bookmarks.js';
import { findEvent } from '../../storage/repositories/events.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import { inTransaction, type Services } from '../services.js';

/** Bookmarks (flags) a message the caller can see; private to the caller, and idempotent. */
export async function bookmarkMessage(
  services: Services,
  actor: Actor,
  conversationId: string,
  seq: number,
): Promise<void> {
  await inTransaction(services, async (trx) => {
    const { membership } = await accessConversationAsMember(trx, actor, conversationId);
    const event = seq > membership.visibleFromSeq ? await findEvent(trx, conversationId, seq) : undefined;
    if (event?.kind !== 'message') {
      throw new DomainError('INVALID_REFERENCE', 'only a visible message can be bookmarked');
    }
    await insertBookmark(trx, actor.user.id, conversationId, seq, services.clock.now());
  });
}

/** Removes a bookmark; removing one that is not there is not an error. */
export async function unbookmarkMessage(
  services: Services,
  actor: Actor,
  conversationId: string,
  seq: number,
): Promise<void> {
  await inTransaction(services, async (trx) => {
    await accessConversationAsMember(trx, actor, conversationId);
    await deleteBookmark(trx, actor.user.id, conversationId, seq);
  });
}
