import type { ConversationEvent, EventRangeResponse, SyncResponse } from '@enlets/protocol';
import { listEventsAfter, listEventsBefore } from '../../storage/repositories/events.js';
import { listUserConversations } from '../../storage/repositories/conversations.js';
import { DAY_MS } from '../../lib/clock.js';
import { accessConversationAsMember } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import type { Services } from '../services.js';
import { decodeSyncToken, encodeSyncToken } from '../sync-token.js';
import { toWireEvent } from '../wire.js';

export const DEFAULT_RANGE_LIMIT = 100;
export const DEFAULT_SYNC_LIMIT = 1000;
/** A device away for longer than this starts afresh from the conversation list (RESYNC_REQUIRED). */
export const SYNC_TOKEN_MAX_AGE_MS = 90 * DAY_MS;

/**
 * A range of one conversation's log, for gap filling (`afterSeq`, oldest first) and scrolling back
 * (`beforeSeq`, newest first). A member never sees events from before they could see the conversation.
 */
export async function listConversationEvents(
  services: Services,
  actor: Actor,
  conversationId: string,
  range: { afterSeq?: number | undefined; beforeSeq?: number | undefined; limit?: number | undefined },
): Promise<EventRangeResponse> {
  const { conversation, membership } = await accessConversationAsMember(services.db, actor, conversationId);
  const limit = range.limit ?? DEFAULT_RANGE_LIMIT;
  const floor = membership.visibleFromSeq;
  const rows =
    range.beforeSeq !== undefined
      ? await listEventsBefore(services.db, conversationId, range.beforeSeq, floor, limit + 1)
      : await listEventsAfter(services.db, conversationId, Math.max(range.afterSeq ?? 0, floor), limit + 1);
  return {
    events: rows.slice(0, limit).map(toWireEvent),
    headSeq: conversation.headSeq,
    hasMore: rows.length > limit,
  };
}

/**
 * Everything a device missed across all its conversations since its token, in order per conversation. Without
 * a token (a new device) it returns no events and a token at the current heads: the device then loads history
 * per conversation with `listConversationEvents`. Conversations the user left are named so the device can drop
 * them.
 */
export async function syncEvents(
  services: Services,
  actor: Actor,
  token: string | undefined,
  limit: number = DEFAULT_SYNC_LIMIT,
): Promise<SyncResponse> {
  const now = services.clock.now();
  const previous = token === undefined || token === '' ? undefined : decodeSyncToken(token);
  if (previous !== undefined && now - previous.issuedAt > SYNC_TOKEN_MAX_AGE_MS) {
    throw new DomainError('RESYNC_REQUIRED', 'the sync token is too old; reload the conversation list');
  }
  const memberships = await listUserConversations(services.db, actor.user.id);
  const positions = new Map<string, number>();
  const events: ConversationEvent[] = [];
  let budget = limit;
  let hasMore = false;
  for (const { membership, conversation } of memberships) {
    const id = conversation.id;
    if (previous === undefined) {
      positions.set(id, conversation.headSeq);
      continue;
    }
    // A conversation new to this device starts where the member's view of it starts.
    const from = Math.max(previous.seqs.get(id) ?? membership.visibleFromSeq, membership.visibleFromSeq);
    positions.set(id, from);
    if (conversation.headSeq <= from) continue;
    if (budget === 0) {
      hasMore = true;
      continue;
    }
    const missed = await listEventsAfter(services.db, id, from, budget);
    for (const e of missed) events.push(toWireEvent(e));
    budget -= missed.length;
    const last = missed.at(-1);
    if (last !== undefined) positions.set(id, last.seq);
    if (last === undefined || last.seq < conversation.headSeq) hasMore = hasMore || budget === 0;
  }
  const leftConversationIds =
    previous === undefined ? [] : [...previous.seqs.keys()].filter((id) => !positions.has(id));
  return {
    events,
    leftConversationIds,
    token: encodeSyncToken({ issuedAt: now, seqs: positions }),
    hasMore,
  };
}
