import { ConversationIdSchema, DeliveriesQuery, DeliveriesResponse, StrictObject } from '@enlets/protocol';
import { listDeliveries } from '../../domain/queries/deliveries.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const ConversationParams = StrictObject({ id: ConversationIdSchema });

/** Delivered state per device (the devices report it over the realtime gateway: `delivered` and `sync`). */
export function deliveryRoutes(app: App, services: Services): void {
  app.get(
    '/conversations/:id/deliveries',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['conversations'],
        summary: '"Delivered to": the other members\' devices that stored the conversation up to seq',
        params: ConversationParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveriesResponse },
      },
    },
    (request) => listDeliveries(services, actorOf(request), request.params.id, request.query.seq),
  );
}
