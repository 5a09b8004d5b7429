import { Type } from 'typebox';
import { PushSubscriptionRequest, VapidPublicKeyResponse } from '@enlets/protocol';
import { subscribePush, unsubscribePush } from '../../domain/actions/push.js';
import type { Services } from '../../domain/services.js';
import { vapidKeysFor } from '../../push/vapid-keys.js';
import { actorOf, type App } from '../types.js';

/** Web Push subscriptions of the caller's device (docs/decisions/0018-web-push.md). */
export function pushRoutes(app: App, services: Services): void {
  app.get(
    '/push/vapid-public-key',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['push'],
        summary: "The server's VAPID public key, to subscribe a browser to Web Push with",
        response: { 200: VapidPublicKeyResponse },
      },
    },
    async () => ({ publicKey: (await vapidKeysFor(services)).publicKey }),
  );

  app.put(
    '/me/push-subscription',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['push'],
        summary: "Wake this device by Web Push when it is offline (replaces the device's subscription)",
        body: PushSubscriptionRequest,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await subscribePush(services, actorOf(request), request.body);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/me/push-subscription',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['push'],
        summary: 'Stop waking this device by Web Push',
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await unsubscribePush(services, actorOf(request));
      return reply.status(204).send(null);
    },
  );
}
