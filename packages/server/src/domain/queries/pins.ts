import type { BookmarksResponse, Pin, PinsResponse } from '@enlets/protocol';
import { listBookmarks, listPinEvents } from '../../storage/repositories/bookmarks.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import type { Services } from '../services.js';

export const MAX_BOOKMARKS = 1000;

/**
 * The messages pinned in a conversation now, derived from its pin and unpin events (oldest pin first). Pins of
 * messages the caller cannot see (from before they joined) and of deleted or expired messages are left out.
 */
export async function listPins(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<PinsResponse> {
  const { membership } = await accessConversationAsMember(services.db, actor, conversationId);
  const pinned = new Map<number, Pin & { gone: boolean }>();
  for (const e of await listPinEvents(services.db, conversationId)) {
    pinned.delete(e.refSeq);
    if (e.kind === 'pin') {
      pinned.set(e.refSeq, {
        seq: e.refSeq,
        pinnedBy: e.senderId,
        pinnedAt: e.createdAt,
        gone: e.targetGone,
      });
    }
  }
  return {
    pins: [...pinned.values()]
      .filter((p) => !p.gone && p.seq > membership.visibleFromSeq)
      .map(({ seq, pinnedBy, pinnedAt }) => ({ seq, pinnedBy, pinnedAt })),
  };
}

/** The caller's own bookmarks across the conversations they are in, newest first. */
export async function listMyBookmarks(services: Services, actor: Actor): Promise<BookmarksResponse> {
  const bookmarks = await listBookmarks(services.db, actor.user.id, MAX_BOOKMARKS);
  return { bookmarks: bookmarks.map((b) => ({ ...b })) };
}
