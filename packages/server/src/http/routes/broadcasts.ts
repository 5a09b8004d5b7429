import {
  ConversationCreated,
  ConversationIdSchema,
  CreateBroadcastRequest,
  StrictObject,
} from '@enlets/protocol';
import { createBroadcast, replyToBroadcast } from '../../domain/actions/broadcasts.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const BroadcastParams = StrictObject({ id: ConversationIdSchema });

/** Broadcasts: one sender to a list of recipients; replies go to a private conversation with the sender. */
export function broadcastRoutes(app: App, services: Services): void {
  app.post(
    '/broadcasts',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['broadcasts'],
        summary: 'Start a broadcast to a list of recipients (messages go through the events routes)',
        body: CreateBroadcastRequest,
        response: { 201: ConversationCreated },
      },
    },
    async (request, reply) => {
      const conversationId = await createBroadcast(services, actorOf(request), request.body);
      return reply.status(201).send({ conversationId });
    },
  );

  app.post(
    '/broadcasts/:id/reply',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['broadcasts'],
        summary: 'The private 1:1 conversation with the broadcast’s sender (created on first reply)',
        params: BroadcastParams,
        response: { 200: ConversationCreated },
      },
    },
    async (request) => ({
      conversationId: await replyToBroadcast(services, actorOf(request), request.params.id),
    }),
  );
}
