import type { ClientFrame, ConversationEvent, SendEventAck, ServerFrame } from '@enlets/protocol';

/**
 * What the gateway pushes beside events: typing, presence, read receipts and delivered positions. Ephemeral
 * (never stored, not resumed): a client shows them while it is connected.
 */
export type RealtimeSignal = Extract<
  ServerFrame,
  { readonly type: 'typing' | 'presence' | 'presences' | 'receipt' | 'delivered' }
>;
/** What a client may send beside events, without an answer: "I am typing", "my availability is". */
export type OutgoingSignal = Extract<ClientFrame, { readonly type: 'typing' | 'presence' }>;

/** The answer to one resume step; the events themselves went to `LinkHandlers.onEvent` before it resolved. */
export interface SyncBatch {
  readonly token: string;
  readonly hasMore: boolean;
  readonly leftConversationIds: ReadonlyArray<string>;
}

/** How a link ended when the connection did not ask for it. */
export interface LinkClosed {
  readonly code: number;
  readonly reason: string;
}

/** What a link reports to the connection that opened it. */
export interface LinkHandlers {
  /** The link is open and the credentials are on their way. */
  onAuthenticating(): void;
  /** An event from the server (resumed or live). The link waits for it before handling the next frame. */
  onEvent(event: ConversationEvent): Promise<void>;
  /** The link ended on its own (server close, network loss, a failed event). Called at most once. */
  onClosed(closed: LinkClosed): void;
  /**
   * The server says live events may have been missed (its cluster bus was away): resume from the stored token
   * again, after a random delay below `jitterMs`. Must not wait for that resume (it answers on this link).
   */
  onResyncRequested(jitterMs: number): void;
  /** A typing, presence, receipt or delivered notice (links that cannot push them never call it). */
  onSignal?(signal: RealtimeSignal): void;
}

/** One authenticated connection to the server. */
export interface TransportLink {
  /** True when the server pushes new events over this link; false when the connection must poll `sync`. */
  readonly pushesEvents: boolean;
  /** Resumes from a sync token: the missed events go to `onEvent`, in order, before this resolves. */
  sync(token: string | undefined): Promise<SyncBatch>;
  /** Sends the stored JSON body of a `SendEventRequest` and resolves with the acknowledgement. */
  send(conversationId: string, bodyText: string): Promise<SendEventAck>;
  /** Sends an ephemeral signal if the link can (the WebSocket can, HTTP polling cannot); false if not sent. */
  signal?(signal: OutgoingSignal): boolean;
  close(): void;
}

/**
 * A way to reach the server: the WebSocket gateway (`websocketTransport`) or plain HTTP polling
 * (`httpTransport`), for hosts without WebSocket or networks that block it.
 */
export interface Transport {
  readonly kind: string;
  /** Opens and authenticates a link; rejects with `SessionEndedError` or `EnletsApiError` UNAUTHENTICATED. */
  open(handlers: LinkHandlers): Promise<TransportLink>;
}
