import type { PushSubscriptionRequest } from '@enlets/protocol';
import { checkPushEndpoint } from '../../push/endpoint-policy.js';
import {
  deletePushSubscription,
  upsertPushSubscription,
} from '../../storage/repositories/push-subscriptions.js';
import type { Actor } from '../actor.js';
import { DomainError } from '../errors.js';
import type { Services } from '../services.js';

/**
 * Web Push (docs/decisions/0018-web-push.md): the caller's device asks to be woken when it is offline. One
 * subscription per device (login session): a new one replaces the old, and it ends with the session.
 */
export async function subscribePush(
  services: Services,
  actor: Actor,
  request: PushSubscriptionRequest,
): Promise<void> {
  const refusal = checkPushEndpoint(request.endpoint, services.config.pushAllowLoopbackHttp);
  if (refusal !== undefined) {
    throw new DomainError(
      'PUSH_ENDPOINT_NOT_ALLOWED',
      'this push service URL is not one the server contacts',
      {
        reason: refusal,
      },
    );
  }
  await upsertPushSubscription(
    services.db,
    {
      sessionId: actor.session.id,
      userId: actor.user.id,
      endpoint: request.endpoint,
      p256dh: request.keys.p256dh,
      auth: request.keys.auth,
    },
    services.clock.now(),
  );
}

/** The device no longer wants to be woken; nothing happens when it had no subscription. */
export async function unsubscribePush(services: Services, actor: Actor): Promise<void> {
  await deletePushSubscription(services.db, actor.session.id);
}
