import type { SendEventAck, SyncResponse } from '@enlets/protocol';
import type { EnletsHttpClient } from '../api/http.js';
import type { LinkHandlers, SyncBatch, Transport, TransportLink } from './transport.js';

/**
 * The realtime connection over plain HTTP: `POST /sync` to resume (the connection polls it while live) and
 * `POST /conversations/:id/events` to send. Needs nothing but `fetch`.
 */
export function httpTransport(http: EnletsHttpClient): Transport {
  return {
    kind: 'http',
    async open(handlers: LinkHandlers): Promise<TransportLink> {
      handlers.onAuthenticating();
      // Proves the session before the first resume, so an ended one is told apart from a network failure.
      await http.me();
      return {
        pushesEvents: false,
        async sync(token: string | undefined): Promise<SyncBatch> {
          const response = await http.post<SyncResponse>('/sync', token === undefined ? {} : { token });
          for (const event of response.events) await handlers.onEvent(event);
          return response;
        },
        send(conversationId: string, bodyText: string): Promise<SendEventAck> {
          return http.requestJsonText<SendEventAck>(
            'POST',
            `/conversations/${encodeURIComponent(conversationId)}/events`,
            bodyText,
          );
        },
        close(): void {
          // Nothing is held open between requests.
        },
      };
    },
  };
}
