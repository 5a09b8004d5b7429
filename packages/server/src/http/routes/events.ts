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
import { noteSyncedOverHttp } from '../../domain/actions/deliveries.js';
import { listConversationEvents, syncEvents } from '../../domain/queries/events.js';
import { decodeSyncToken } from '../../domain/sync-token.js';
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
    async (request) => {
      const actor = actorOf(request);
      const { token, limit } = request.body;
      const answer = await syncEvents(services, actor, token, limit);
      // Resuming from a token proves the device stored what it covers (a checked token: syncEvents took it).
      if (token !== undefined && token !== '') {
        await noteSyncedOverHttp(services, actor, decodeSyncToken(token).seqs);
      }
      return answer;
    },
  );
}
