import { Type } from 'typebox';
import {
  BookmarksResponse,
  ConversationIdSchema,
  ForwardRequest,
  PinsResponse,
  SendEventAck,
  Seq,
  StrictObject,
} from '@enlets/protocol';
import { bookmarkMessage, unbookmarkMessage } from '../../domain/actions/bookmarks.js';
import { forwardEvent } from '../../domain/actions/forward.js';
import { listMyBookmarks, listPins } from '../../domain/queries/pins.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const ConversationParams = StrictObject({ id: ConversationIdSchema });
const EventParams = StrictObject({ id: ConversationIdSchema, seq: Seq });
const tags = ['messages'];

/** Marks on messages: private bookmarks, the shared pins list; and forwarding a message elsewhere. */
export function bookmarkRoutes(app: App, services: Services): void {
  app.put(
    '/conversations/:id/bookmarks/:seq',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Bookmark (flag) a message; only you see your bookmarks',
        params: EventParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await bookmarkMessage(services, actorOf(request), request.params.id, request.params.seq);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/conversations/:id/bookmarks/:seq',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Remove a bookmark',
        params: EventParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await unbookmarkMessage(services, actorOf(request), request.params.id, request.params.seq);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me/bookmarks',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Your bookmarks, newest first',
        response: { 200: BookmarksResponse },
      },
    },
    (request) => listMyBookmarks(services, actorOf(request)),
  );

  app.get(
    '/conversations/:id/pins',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'The messages pinned in a conversation now',
        params: ConversationParams,
        response: { 200: PinsResponse },
      },
    },
    (request) => listPins(services, actorOf(request), request.params.id),
  );

  app.post(
    '/conversations/:id/events/:seq/forward',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary:
          'Forward a message (re-encrypted by the client) into another of your conversations, if TLP allows',
        params: EventParams,
        body: ForwardRequest,
        response: { 200: SendEventAck },
      },
    },
    (request) =>
      forwardEvent(services, actorOf(request), request.params.id, request.params.seq, request.body),
  );
}
