import type { ConversationEvent, ErrorCode } from '@enlets/protocol';

/**
 * One message waiting for its acknowledgement. `body` is the exact JSON text of the `SendEventRequest`,
 * fixed before the first attempt: every retry sends these bytes, so the server's idempotency on
 * `clientMessageId` can recognise it (and, once E2EE lands, the ciphertext is never re-encrypted).
 */
export interface OutboxEntry {
  readonly clientMessageId: string;
  readonly conversationId: string;
  readonly body: string;
  /** Client clock, ms: the queue is sent in this order. */
  readonly createdAt: number;
  readonly attempts: number;
  readonly status: 'pending' | 'failed';
  /** Set once the server refused the message for good (`status: 'failed'`). */
  readonly error?: { readonly code: ErrorCode | 'NETWORK'; readonly message: string };
}

/** Which events to list from the local copy of a conversation. */
export interface StoredEventQuery {
  readonly afterSeq?: number;
  readonly limit?: number;
}

/**
 * Everything a client must keep across restarts to deliver nothing twice and lose nothing: the outbox, the
 * events it has shown (by `(conversationId, seq)`), the per-conversation position up to which it has shown every
 * event, and the sync token. Asynchronous because the browser's IndexedDB is. An implementation must make each
 * call atomic: a crash leaves the state before or after it, never half of it.
 */
export interface ClientStore {
  /** The outbox in sending order (oldest first), failed entries included. */
  listOutbox(): Promise<ReadonlyArray<OutboxEntry>>;
  /** Adds or replaces the entry with this clientMessageId. */
  putOutbox(entry: OutboxEntry): Promise<void>;
  deleteOutbox(clientMessageId: string): Promise<void>;

  /**
   * The highest seq of this conversation up to which every visible event has been applied, or undefined
   * when this client has not seen the conversation yet.
   */
  getCursor(conversationId: string): Promise<number | undefined>;
  /**
   * Stores events that were applied in order and moves each conversation's cursor to the highest seq among
   * them, in one step.
   */
  saveEvents(events: ReadonlyArray<ConversationEvent>): Promise<void>;
  /** The stored events of a conversation, oldest first. A store may keep only the most recent ones. */
  listEvents(conversationId: string, query?: StoredEventQuery): Promise<ReadonlyArray<ConversationEvent>>;
  /** Forgets a conversation the user left or was removed from. */
  dropConversation(conversationId: string): Promise<void>;

  getSyncToken(): Promise<string | undefined>;
  setSyncToken(token: string | undefined): Promise<void>;
}
