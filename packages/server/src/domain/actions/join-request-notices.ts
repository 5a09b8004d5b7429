import type { TimestampMs, UserId } from '@enlets/protocol';
import { listManagerIds } from '../../storage/repositories/channel-managers.js';
import type { Actor } from '../actor.js';
import type { Services, Trx } from '../services.js';
import { publishAfterCommit } from './events.js';

/**
 * Realtime notices about requests to join a closed channel. The requests themselves are rows managers list
 * (`GET /channels/:id/requests`); these notices only spare them the polling. Recipients are computed inside the
 * deciding transaction and told after its commit.
 */

/** A new request: the channel's owner and managers learn who asks. */
export async function noticeJoinRequested(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  conversationId: string,
  requester: Actor,
  requestedAt: TimestampMs,
): Promise<void> {
  const managers = await listManagerIds(trx, conversationId);
  if (managers.length === 0) return;
  publishAfterCommit(services, afterCommit, {
    type: 'ephemeral',
    recipients: managers,
    frame: {
      type: 'join.requested',
      conversationId,
      userId: requester.user.id,
      displayName: requester.user.displayName,
      requestedAt,
    },
  });
}

/**
 * A decision: the requester learns it (who decided stays with the managers), and so do the owner and managers,
 * whose lists of waiting requests lose it.
 */
export async function noticeJoinDecided(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  conversationId: string,
  userId: UserId,
  approved: boolean,
): Promise<void> {
  const managers = await listManagerIds(trx, conversationId);
  publishAfterCommit(services, afterCommit, {
    type: 'ephemeral',
    recipients: [...new Set([userId, ...managers])],
    frame: { type: 'join.decided', conversationId, userId, approved, at: services.clock.now() },
  });
}
