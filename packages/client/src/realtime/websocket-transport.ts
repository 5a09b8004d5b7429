import type { SendEventAck, ServerFrame } from '@enlets/protocol';
import { CLOSE_CODES, isErrorCode, MAX_DELIVERED_POSITIONS, REALTIME_PATH } from '@enlets/protocol';
import { EnletsApiError } from '../api/http.js';
import { SessionEndedError } from '../errors.js';
import { clearTimer, setTimer, type TimerHandle } from '../runtime.js';
import type { LinkClosed, LinkHandlers, SyncBatch, Transport, TransportLink } from './transport.js';

/**
 * The part of the WHATWG `WebSocket` the SDK uses. Declared here because the SDK compiles without DOM or Node
 * types; pass the browser's global `WebSocket`, or the `ws` package's class in Node 20.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** The server's origin, e.g. `https://enlets.example` (the socket goes to `wss://…/api/v1/ws`). */
  readonly baseUrl: string;
  readonly token: string;
  readonly WebSocket: WebSocketConstructor;
  /** Give up on a handshake (open + `auth` + `ready`) after this long. */
  readonly handshakeTimeoutMs?: number;
  /** Give up on an acknowledgement or a resume step after this long (the link is then closed). */
  readonly requestTimeoutMs?: number;
  /** Send a `ping` frame after this much silence; close the link after twice as much. */
  readonly heartbeatMs?: number;
  /**
   * How often the device tells the server how far it stored each conversation (`delivered` frames, one per
   * interval whatever the number of events, so a busy conversation costs one frame, not one per event).
   */
  readonly deliveredReportMs?: number;
}

const OPEN = 1;
/** Our own close code when this side abandons a link (a failed event, a silent server). */
const CLIENT_ABANDONED = 4000;

/** `http(s)://host[:port]` → `ws(s)://host[:port]/api/v1/ws`. */
export function realtimeUrl(baseUrl: string): string {
  const origin = baseUrl.replace(/\/+$/, '');
  if (origin.startsWith('https://')) return `wss://${origin.slice('https://'.length)}${REALTIME_PATH}`;
  if (origin.startsWith('http://')) return `ws://${origin.slice('http://'.length)}${REALTIME_PATH}`;
  throw new Error(`not an http(s) URL: ${baseUrl}`);
}

/**
 * The realtime connection over the WebSocket gateway: an `auth` frame with the bearer token, `ready`, then
 * `sync` frames to resume and `send` frames acknowledged by `ack` frames. Frames are handled one at a time in
 * arrival order, each event only after the previous one was applied, so a `synced` frame is seen only when
 * every event before it is stored.
 */
export function websocketTransport(options: WebSocketTransportOptions): Transport {
  return {
    kind: 'websocket',
    open: (handlers) => openLink(options, handlers),
  };
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

function openLink(options: WebSocketTransportOptions, handlers: LinkHandlers): Promise<TransportLink> {
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 20_000;
  const heartbeatMs = options.heartbeatMs ?? 25_000;
  const deliveredReportMs = options.deliveredReportMs ?? 1_000;
  const socket = new options.WebSocket(realtimeUrl(options.baseUrl));
  const acks = new Map<string, Pending<SendEventAck>>();
  const syncs = new Map<string, Pending<SyncBatch>>();
  let counter = 0;
  let ready = false;
  let ended = false;
  let lastFrameAt = Date.now();
  let heartbeat: TimerHandle | undefined;
  let chain: Promise<void> = Promise.resolve();
  /** Highest applied seq per conversation, not reported yet. */
  const stored = new Map<string, number>();
  let deliveredTimer: TimerHandle | undefined;

  return new Promise<TransportLink>((resolveOpen, rejectOpen) => {
    const handshake = setTimer(() => {
      end({ code: CLIENT_ABANDONED, reason: 'handshake timed out' });
    }, handshakeTimeoutMs);

    function end(closed: LinkClosed, byClient = true): void {
      if (ended) return;
      ended = true;
      clearTimer(handshake);
      clearTimer(heartbeat);
      // What was not reported yet is implied by the next resume from the stored token.
      clearTimer(deliveredTimer);
      const error = new EnletsApiError(0, 'NETWORK', `realtime link closed (${String(closed.code)})`);
      for (const pending of [...acks.values(), ...syncs.values()]) {
        clearTimer(pending.timer);
        pending.reject(error);
      }
      acks.clear();
      syncs.clear();
      if (byClient) {
        try {
          socket.close(closed.code < 4000 ? 1000 : closed.code, closed.reason.slice(0, 100));
        } catch {
          // already closing
        }
      }
      if (!ready) {
        rejectOpen(
          closed.code === CLOSE_CODES.UNAUTHENTICATED || closed.code === CLOSE_CODES.SESSION_REVOKED
            ? new SessionEndedError(closed.code)
            : error,
        );
      } else handlers.onClosed(closed);
    }

    function request<T>(
      map: Map<string, Pending<T>>,
      prefix: string,
      frame: (id: string) => string,
    ): Promise<T> {
      if (ended || socket.readyState !== OPEN) {
        return Promise.reject(new EnletsApiError(0, 'NETWORK', 'realtime link is closed'));
      }
      counter += 1;
      const requestId = `${prefix}${String(counter)}`;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimer(() => {
          map.delete(requestId);
          reject(new EnletsApiError(0, 'NETWORK', 'no answer on the realtime link'));
          end({ code: CLIENT_ABANDONED, reason: 'request timed out' });
        }, requestTimeoutMs);
        map.set(requestId, { resolve, reject, timer });
        socket.send(frame(requestId));
      });
    }

    function settle<T>(map: Map<string, Pending<T>>, requestId: string | null, value: T | Error): void {
      if (requestId === null) return;
      const pending = map.get(requestId);
      if (pending === undefined) return;
      map.delete(requestId);
      clearTimer(pending.timer);
      if (value instanceof Error) pending.reject(value);
      else pending.resolve(value);
    }

    const link: TransportLink = {
      pushesEvents: true,
      sync: (token) =>
        request(syncs, 'sync-', (requestId) =>
          JSON.stringify({ type: 'sync', requestId, ...(token === undefined ? {} : { token }) }),
        ),
      // The stored body goes into the frame as it is, byte for byte.
      send: (conversationId, bodyText) =>
        request(
          acks,
          'send-',
          (requestId) =>
            `{"type":"send","requestId":${JSON.stringify(requestId)},` +
            `"conversationId":${JSON.stringify(conversationId)},"event":${bodyText}}`,
        ),
      signal: (signal) => {
        if (ended || !ready || socket.readyState !== OPEN) return false;
        socket.send(JSON.stringify(signal));
        return true;
      },
      close: () => end({ code: 1000, reason: 'closed by the client' }),
    };

    async function handle(frame: ServerFrame): Promise<void> {
      switch (frame.type) {
        case 'ready':
          ready = true;
          clearTimer(handshake);
          scheduleHeartbeat();
          resolveOpen(link);
          return;
        case 'event':
          await handlers.onEvent(frame.event);
          noteStored(frame.event.conversationId, frame.event.seq);
          return;
        case 'synced':
          settle(syncs, frame.requestId, {
            token: frame.token,
            hasMore: frame.hasMore,
            leftConversationIds: frame.leftConversationIds,
          });
          return;
        case 'ack':
          settle(acks, frame.requestId, frame.ack);
          return;
        case 'error': {
          const error = new EnletsApiError(
            0,
            isErrorCode(frame.code) ? frame.code : 'INTERNAL',
            frame.message,
            frame.details as Readonly<Record<string, unknown>> | undefined,
          );
          settle(acks, frame.requestId, error);
          settle(syncs, frame.requestId, error);
          return;
        }
        case 'resync':
          handlers.onResyncRequested(frame.jitterMs);
          return;
        case 'typing':
        case 'presence':
        case 'presences':
        case 'receipt':
        case 'delivered':
          handlers.onSignal?.(frame);
          return;
        case 'join.requested':
        case 'join.decided':
        case 'pong':
        case 'welcome': // fetched by the E2EE layer when it applies the commit that added this device
          return;
      }
    }

    /** An event is applied (stored): the server learns it with the next report. */
    function noteStored(conversationId: string, seq: number): void {
      if ((stored.get(conversationId) ?? 0) >= seq) return;
      stored.set(conversationId, seq);
      deliveredTimer ??= setTimer(reportDelivered, deliveredReportMs);
    }

    function reportDelivered(): void {
      deliveredTimer = undefined;
      if (ended || socket.readyState !== OPEN) return;
      const positions = [...stored].map(([conversationId, seq]) => ({ conversationId, seq }));
      stored.clear();
      for (let i = 0; i < positions.length; i += MAX_DELIVERED_POSITIONS) {
        const chunk = positions.slice(i, i + MAX_DELIVERED_POSITIONS);
        socket.send(JSON.stringify({ type: 'delivered', positions: chunk }));
      }
    }

    function scheduleHeartbeat(): void {
      heartbeat = setTimer(() => {
        if (ended) return;
        if (Date.now() - lastFrameAt > 2 * heartbeatMs) {
          end({ code: CLIENT_ABANDONED, reason: 'the server went silent' });
          return;
        }
        if (Date.now() - lastFrameAt >= heartbeatMs && socket.readyState === OPEN)
          socket.send(JSON.stringify({ type: 'ping' }));
        scheduleHeartbeat();
      }, heartbeatMs);
    }

    socket.onopen = () => {
      handlers.onAuthenticating();
      socket.send(JSON.stringify({ type: 'auth', token: options.token }));
    };
    socket.onmessage = (message) => {
      lastFrameAt = Date.now();
      if (typeof message.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(message.data) as ServerFrame;
      } catch {
        return;
      }
      chain = chain
        .then(() => (ended ? undefined : handle(frame)))
        .catch(() => {
          // An event could not be applied (its gap could not be fetched): drop the link; the resume that
          // follows the reconnect delivers it again from the stored token.
          end({ code: CLIENT_ABANDONED, reason: 'an event could not be applied' });
        });
    };
    socket.onclose = (event) => {
      chain = chain.then(() => end({ code: event.code, reason: event.reason }, false));
    };
    socket.onerror = () => {
      // A close event follows and says how it ended.
    };
  });
}
