import type {
  ClientEventKind,
  ConversationEvent,
  ConversationListResponse,
  ConversationSummary,
  EventRangeResponse,
  SendEventAck,
  SendEventRequest,
  TlpLevel,
  UserId,
} from '@enlets/protocol';
import { EnletsHttpClient, type BinaryFetchLike, type FetchLike } from './api/http.js';
import { base64ToBytes, bytesToBase64 } from './base64.js';
import type { BackoffPolicy } from './backoff.js';
import { Emitter } from './emitter.js';
import { Outbox, type FlushResult, type PendingSend } from './outbox.js';
import { Connection, type ConnectionState } from './realtime/connection.js';
import { httpTransport } from './realtime/http-transport.js';
import type { OutgoingSignal, RealtimeSignal, Transport } from './realtime/transport.js';
import { websocketTransport, type WebSocketConstructor } from './realtime/websocket-transport.js';
import { EventSequencer } from './sequencer.js';
import type { ClientStore, OutboxEntry } from './store/client-store.js';
import { MemoryStore } from './store/memory-store.js';

/** The typed events of a session. */
export interface SessionEvents {
  /** A conversation event, delivered once and in seq order per conversation. */
  event: ConversationEvent;
  /** The server acknowledged an outbox entry (it is stored under `ack.seq`). */
  ack: { readonly ack: SendEventAck; readonly entry: OutboxEntry };
  state: ConnectionState;
  /** The server refused an outbox entry for good; it stays in the store, marked failed with the code. */
  outboxFailed: OutboxEntry;
  /** The session ended on the server (logout, revocation, suspension): sign in again. */
  signedOut: undefined;
  /** The sync token was too old; the app should reload its conversation list. */
  resyncRequired: undefined;
  /** Typing, presence, read receipts and delivered positions pushed by the gateway (while live). */
  signal: RealtimeSignal;
}

/** A message to send; `payload` is opaque bytes (the E2EE layer will put ciphertext here). */
export interface OutgoingEvent {
  readonly kind?: ClientEventKind;
  readonly payload: Uint8Array;
  readonly refSeq?: number;
  readonly threadRootSeq?: number;
  readonly tlp?: TlpLevel;
  readonly mentions?: ReadonlyArray<UserId>;
  readonly mentionsAll?: boolean;
  readonly attachments?: ReadonlyArray<string>;
  /** Chosen by the caller when it must know the id before the message is queued (the E2EE layer does). */
  readonly clientMessageId?: string;
}

export interface MessengerSessionOptions {
  /** The server's origin, e.g. `https://enlets.example`. */
  readonly baseUrl: string;
  /** The bearer token of a signed-in session. */
  readonly token: string;
  /** Where the outbox, the received events and the sync token live; in memory when absent. */
  readonly store?: ClientStore;
  readonly fetch?: FetchLike;
  /** For raw-bytes calls (attachment chunks, history bundles); needed beside a custom `fetch`, as for the client. */
  readonly binaryFetch?: BinaryFetchLike;
  /**
   * A WebSocket class (the browser's global, or `ws` in Node 20). With it the session goes live over the
   * gateway; without it (or with `transport: 'http'`) it polls `POST /sync`.
   */
  readonly WebSocket?: WebSocketConstructor;
  readonly transport?: 'websocket' | 'http' | Transport;
  /** How long a send waits for the socket to come (back) up before it goes over HTTP instead. */
  readonly httpFallbackMs?: number;
  readonly pollIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly newClientMessageId?: () => string;
}

/** History as the app shows it: oldest first. */
export interface HistoryQuery {
  readonly limit?: number;
  /** Events before this seq (scrolling back); the newest when absent. */
  readonly beforeSeq?: number;
}

/**
 * The facade every client uses: send through the persistent outbox, receive through the realtime connection
 * with dedup and gap filling, list conversations and history over HTTP.
 *
 * Delivery route for sends: over the socket while the connection is live; while it is connecting,
 * authenticating or resuming, a send waits up to `httpFallbackMs` (default 3 s) for it; otherwise (the socket
 * is down and backing off, or the session was never started) it goes over HTTP at once. Either way the outbox
 * keeps the message until it is acknowledged, and retries it with backoff.
 *
 * @example
 * const session = new MessengerSession({ baseUrl, token, WebSocket, store });
 * session.on('event', (e) => render(e));
 * session.start();
 * const { acknowledged } = await session.send(conversationId, { payload: bytes });
 * const ack = await acknowledged; // stored under ack.seq
 */
export class MessengerSession {
  readonly http: EnletsHttpClient;
  readonly store: ClientStore;
  readonly #events = new Emitter<SessionEvents>();
  readonly #outbox: Outbox;
  readonly #connection: Connection;
  readonly #httpFallbackMs: number;

  constructor(options: MessengerSessionOptions) {
    this.http = new EnletsHttpClient({
      baseUrl: options.baseUrl,
      token: options.token,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.binaryFetch === undefined ? {} : { binaryFetch: options.binaryFetch }),
    });
    this.store = options.store ?? new MemoryStore();
    this.#httpFallbackMs = options.httpFallbackMs ?? 3_000;
    const sequencer = new EventSequencer(
      this.store,
      (conversationId, afterSeq, limit) =>
        this.http.get<EventRangeResponse>(
          `/conversations/${encodeURIComponent(conversationId)}/events?afterSeq=${String(afterSeq)}&limit=${String(limit)}`,
        ),
      (event) => this.#events.emit('event', event),
    );
    this.#connection = new Connection({
      transport: this.#chooseTransport(options),
      store: this.store,
      applyEvent: (event) => sequencer.apply(event),
      onState: (state) => {
        this.#events.emit('state', state);
        // Back online: whatever waits in the outbox goes now.
        if (state === 'live') this.#outbox.kick(true);
      },
      onSignedOut: () => this.#signedOut(),
      onResyncRequired: () => this.#events.emit('resyncRequired', undefined),
      onSignal: (signal) => this.#events.emit('signal', signal),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    });
    this.#outbox = new Outbox({
      store: this.store,
      send: (entry) => this.#deliver(entry),
      listener: {
        acked: (entry, ack) => this.#events.emit('ack', { ack, entry }),
        failed: (entry) => this.#events.emit('outboxFailed', entry),
        signedOut: () => this.#signedOut(),
      },
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.newClientMessageId === undefined ? {} : { newClientMessageId: options.newClientMessageId }),
    });
  }

  #chooseTransport(options: MessengerSessionOptions): Transport {
    const choice = options.transport ?? (options.WebSocket === undefined ? 'http' : 'websocket');
    if (typeof choice !== 'string') return choice;
    if (choice === 'http') return httpTransport(this.http);
    if (options.WebSocket === undefined) throw new Error("transport 'websocket' needs a WebSocket class");
    return websocketTransport({
      baseUrl: options.baseUrl,
      token: options.token,
      WebSocket: options.WebSocket,
    });
  }

  async #deliver(entry: OutboxEntry): Promise<SendEventAck> {
    const state = this.#connection.state;
    const comingUp = state === 'connecting' || state === 'authenticating' || state === 'syncing';
    const link = comingUp ? await this.#connection.waitLive(this.#httpFallbackMs) : this.#connection.liveLink;
    if (link !== undefined) return link.send(entry.conversationId, entry.body);
    return this.http.requestJsonText<SendEventAck>(
      'POST',
      `/conversations/${encodeURIComponent(entry.conversationId)}/events`,
      entry.body,
    );
  }

  #signedOut(): void {
    this.#connection.stop();
    void this.#outbox.stop();
    this.#events.emit('signedOut', undefined);
  }

  /** Subscribes to a typed event; returns the function that unsubscribes. */
  on<K extends keyof SessionEvents>(type: K, listener: (payload: SessionEvents[K]) => void): () => void {
    return this.#events.on(type, listener);
  }

  get state(): ConnectionState {
    return this.#connection.state;
  }

  /** Connects (and keeps reconnecting) and sends the outbox automatically, until `stop`. */
  start(): void {
    this.#outbox.start();
    this.#connection.start();
  }

  /** Disconnects and stops retrying; queued messages stay in the store for the next start. */
  async stop(): Promise<void> {
    this.#connection.stop();
    await this.#outbox.stop();
  }

  /**
   * Queues an event for a conversation. Resolves once it is stored in the outbox (so it survives a restart);
   * `acknowledged` resolves when the server has durably stored it. Without `start`, call `flushOutbox`.
   */
  send(conversationId: string, event: OutgoingEvent): Promise<PendingSend> {
    const request: Omit<SendEventRequest, 'clientMessageId'> = {
      kind: event.kind ?? 'message',
      payload: bytesToBase64(event.payload),
      ...(event.refSeq === undefined ? {} : { refSeq: event.refSeq }),
      ...(event.threadRootSeq === undefined ? {} : { threadRootSeq: event.threadRootSeq }),
      ...(event.tlp === undefined ? {} : { tlp: event.tlp }),
      ...(event.mentions === undefined ? {} : { mentions: [...event.mentions] }),
      ...(event.mentionsAll === undefined ? {} : { mentionsAll: event.mentionsAll }),
      ...(event.attachments === undefined ? {} : { attachments: [...event.attachments] }),
    };
    return this.#outbox.enqueue(conversationId, request, event.clientMessageId);
  }

  /**
   * Sends a typing or presence signal over the live link; false when there is none (offline, or HTTP polling):
   * such signals are worth nothing late, so they are never queued.
   */
  signal(signal: OutgoingSignal): boolean {
    return this.#connection.liveLink?.signal?.(signal) ?? false;
  }

  /** One pass over the outbox now (for scripts that do not `start`): see `FlushResult`. */
  flushOutbox(): Promise<FlushResult> {
    return this.#outbox.flush();
  }

  listOutbox(): Promise<ReadonlyArray<OutboxEntry>> {
    return this.#outbox.list();
  }

  discardOutboxEntry(clientMessageId: string): Promise<void> {
    return this.#outbox.discard(clientMessageId);
  }

  /** The caller's conversations, most recent activity first. */
  async listConversations(): Promise<ReadonlyArray<ConversationSummary>> {
    const response = await this.http.get<ConversationListResponse>('/conversations');
    return response.conversations;
  }

  /** A page of a conversation's history from the server, oldest first (not filtered by the local cursor). */
  async history(conversationId: string, query: HistoryQuery = {}): Promise<ReadonlyArray<ConversationEvent>> {
    const params = [
      `beforeSeq=${String(query.beforeSeq ?? Number.MAX_SAFE_INTEGER)}`,
      ...(query.limit === undefined ? [] : [`limit=${String(query.limit)}`]),
    ];
    const response = await this.http.get<EventRangeResponse>(
      `/conversations/${encodeURIComponent(conversationId)}/events?${params.join('&')}`,
    );
    return [...response.events].sort((a, b) => a.seq - b.seq);
  }
}

/** The opaque bytes of an event, or null once it was deleted or expired. */
export function eventPayload(event: ConversationEvent): Uint8Array | null {
  return event.payload === null ? null : base64ToBytes(event.payload);
}
