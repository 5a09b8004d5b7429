import { Type } from 'typebox';
import {
  EventRangeQuery,
  EventRangeResponse,
  SendEventAck,
  SendEventRequest,
  StrictObject,
  SyncRequest,
  SyncResponse,
} from '@enlets/protocol';
import { sendEvent } from '../../domain/actions/events.js';
import { listConversationEvents, syncEvents } from '../../domain/queries/events.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const ConversationParams = StrictObject({
  id: Type.String({
    pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    maxLength: 36,
  }),
});

/** The delivery core over HTTP: send (acknowledged after a durable commit), range fetch, resumable sync. */
export function eventRoutes(app: App, services: Services): void {
  app.post(
    '/conversations/:id/events',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['messages'],
        summary: 'Send a message, edit, reaction, delete or pin (idempotent by clientMessageId)',
        params: ConversationParams,
        body: SendEventRequest,
        response: { 200: SendEventAck },
      },
    },
    (request) => sendEvent(services, actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/conversations/:id/events',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['messages'],
        summary: 'A range of a conversation’s events: afterSeq (gap fill) or beforeSeq (scroll back)',
        params: ConversationParams,
        querystring: EventRangeQuery,
        response: { 200: EventRangeResponse },
      },
    },
    (request) => listConversationEvents(services, actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/sync',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['messages'],
        summary: 'Everything this device missed since its sync token, across all its conversations',
        body: SyncRequest,
        response: { 200: SyncResponse },
      },
    },
    (request) => syncEvents(services, actorOf(request), request.body.token, request.body.limit),
  );
}
