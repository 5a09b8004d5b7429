import type { EnletsHttpClient } from '@enlets/client';
import type { ConversationCreated, CreateBroadcastRequest } from '@enlets/protocol';

/**
 * The REST calls of broadcasts. Neither carries message content (a title and a list of people are routing
 * metadata the server needs anyway), so they go from the page with the session cookie, as the conversation
 * screens' calls do (ADR 0014). What the sender writes into the broadcast goes through the secure worker's
 * ordinary send path: a broadcast is an MLS group like any other conversation, created by the sender's device
 * at the first message, with every recipient's devices added then.
 */

const path = (...parts: readonly string[]): string => parts.map(encodeURIComponent).join('/');

/** Starts a broadcast from the caller to `recipientIds`; its conversation id. */
export async function createBroadcast(
  http: EnletsHttpClient,
  request: CreateBroadcastRequest,
): Promise<string> {
  return (await http.post<ConversationCreated>('/broadcasts', request)).conversationId;
}

/** The private 1:1 conversation between the caller (a recipient) and the broadcast's sender: found or made. */
export async function replyPrivately(http: EnletsHttpClient, broadcastId: string): Promise<string> {
  return (await http.post<ConversationCreated>(`/${path('broadcasts', broadcastId, 'reply')}`))
    .conversationId;
}
