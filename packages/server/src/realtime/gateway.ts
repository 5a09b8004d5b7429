import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import {
  CLOSE_CODES,
  MAX_CLIENT_FRAME_BYTES,
  PROTOCOL_VERSION,
  REALTIME_PATH,
  type ClientFrame,
  type ErrorCode,
  type UserId,
} from '@enlets/protocol';
import { markRead } from '../domain/actions/conversations.js';
import { DeliveryRecorder } from '../domain/actions/deliveries.js';
import { sendEvent } from '../domain/actions/events.js';
import { announcePresence, notifyTyping, presenceSnapshot, setPresence } from '../domain/actions/presence.js';
import { LocalOnlineUsers, OnlineRegistry, type OnlineUsers } from '../domain/online-registry.js';
import { DomainError } from '../domain/errors.js';
import type { BusMessage } from '../domain/events.js';
import { syncEvents } from '../domain/queries/events.js';
import { resolveSessionToken } from '../domain/queries/sessions.js';
import type { Services } from '../domain/services.js';
import { decodeSyncToken } from '../domain/sync-token.js';
import { SESSION_COOKIE } from '../http/plugins/auth.js';
import { Connection, THROTTLE_MS, type ConnectionLimits } from './connection.js';
import { EndOfTurn } from './end-of-turn.js';
import { textFrame, type TextFrame } from './frames.js';
import { parseClientFrame } from './parse.js';
import type { RateVerdict } from './rate-limit.js';

export interface GatewayLimits extends ConnectionLimits {
  /** Time an unauthenticated connection has to send its `auth` frame (close 4401 after). */
  readonly authTimeoutMs: number;
  /** WebSocket ping interval; a connection that missed two pongs in a row is terminated. */
  readonly heartbeatMs: number;
  /** Invalid frames a connection may send before it is closed with 4400. */
  readonly maxProtocolErrors: number;
  /** At most one `typing` notice per conversation per connection in this interval; more are dropped. */
  readonly typingIntervalMs: number;
  /** Events per `sync` answer; more come with `hasMore: true`. */
  readonly syncBatch: number;
  /** How often coalesced delivered reports are written (at most one row write per device and conversation). */
  readonly deliveryFlushMs: number;
  /** After a bus outage, devices are told to sync within this spread, not all at once. */
  readonly resyncJitterMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxQueuedFrames: 64,
  rate: { perSecond: 30, burst: 60, writesPerSecond: 10, writeBurst: 20, floodCloseMs: 3000 },
  authTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  maxProtocolErrors: 10,
  typingIntervalMs: 2000,
  syncBatch: 500,
  deliveryFlushMs: 1000,
  resyncJitterMs: 2000,
};

/** Frames that write to the database: they draw from the connection's write budget too. */
const WRITING_FRAMES: ReadonlySet<ClientFrame['type']> = new Set(['send', 'read']);

/** A revocation seen recently, to close a connection whose authentication raced with it. */
interface RecentRevocation {
  readonly at: number;
  readonly message: Extract<BusMessage, { type: 'sessions.revoked' }>;
}
const REVOCATION_MEMORY_MS = 60_000;

/**
 * The WebSocket gateway at `/api/v1/ws` (docs/protocol.md, "Realtime"): authenticates connections, runs their
 * frames through the domain (never storage), and fans committed events out to the connections of the
 * recipients the domain computed. One bus subscription per gateway; connections are indexed by user and by
 * session. Frames of one connection are handled one at a time, in order.
 */
export class RealtimeGateway {
  readonly #services: Services;
  readonly #log: Logger;
  readonly #ownOrigin: string;
  readonly #wss: WebSocketServer;
  readonly #all = new Set<Connection>();
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #bySession = new Map<string, Set<Connection>>();
  readonly #revocations: RecentRevocation[] = [];
  readonly #closesByCode = new Map<number, number>();
  readonly #deliveries: DeliveryRecorder;
  /** Frames sent to connections during a turn are written at its end, one write per connection. */
  readonly #endOfTurn = new EndOfTurn();
  /** Who is online (cluster-wide through the database when there is a cluster bus), for presence snapshots. */
  readonly #online: OnlineUsers;
  #limits: GatewayLimits;
  #heartbeat: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(services: Services, limits: Partial<GatewayLimits> = {}) {
    this.#services = services;
    this.#log = services.log.child({ component: 'realtime' });
    this.#ownOrigin = new URL(services.config.publicUrl).origin;
    this.#limits = { ...DEFAULT_GATEWAY_LIMITS, ...limits };
    this.#deliveries = new DeliveryRecorder(services, this.#limits.deliveryFlushMs);
    this.#online =
      services.config.busUrl === undefined
        ? new LocalOnlineUsers((userId) => this.#byUser.has(userId))
        : new OnlineRegistry(services, (userIds) => {
            // Their process died: offline unless they have reconnected here meanwhile.
            for (const userId of userIds) if (!this.#byUser.has(userId)) this.#announce(userId, false);
          });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_CLIENT_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#unsubscribe = services.bus.subscribe((message) => {
      try {
        this.#onBus(message);
      } catch (error) {
        this.#log.error({ err: error }, 'realtime fan-out failed');
      }
    });
    this.#startHeartbeat();
  }

  get limits(): GatewayLimits {
    return this.#limits;
  }

  /** Changes limits at run time (tests use small ones); the rate limit applies to new connections. */
  configure(limits: Partial<GatewayLimits>): void {
    const heartbeatChanged =
      limits.heartbeatMs !== undefined && limits.heartbeatMs !== this.#limits.heartbeatMs;
    this.#limits = { ...this.#limits, ...limits };
    if (heartbeatChanged) this.#startHeartbeat();
  }

  /** How many connections the server closed with this code since it started (limits at work). */
  closedWith(code: number): number {
    return this.#closesByCode.get(code) ?? 0;
  }

  /** Writes the delivered reports waiting to be coalesced now (tests; shutdown does it by itself). */
  flushDeliveries(): Promise<void> {
    return this.#deliveries.flush();
  }

  /** Live connections, authenticated or not. */
  get connectionCount(): number {
    return this.#all.size;
  }

  /** Takes over HTTP upgrade requests of `server` for the realtime path. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#onUpgrade(request, socket, head);
    });
  }

  /** Says goodbye (1001) to every client, waits briefly for the close handshakes, then cuts the rest. */
  close(graceMs = 1000): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#heartbeat);
      this.#unsubscribe?.();
      const connections = [...this.#all];
      for (const c of connections) c.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
      const deadline = performance.now() + graceMs;
      while (this.#all.size > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const c of this.#all) c.ws.terminate();
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
      await this.#deliveries.close();
      await this.#online.stop();
    })();
    return this.#closing;
  }

  // ---- handshake -----------------------------------------------------------------------------------------

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '').split('?')[0];
    if (path !== REALTIME_PATH) return refuse(socket, 404, 'Not Found');
    if (this.#closing !== undefined) return refuse(socket, 503, 'Service Unavailable');
    const origin = request.headers.origin;
    // Browsers always send Origin: a page of another site must not ride on our cookie (cross-site WebSocket
    // hijacking). Clients without Origin (CLI, bots) authenticate with a token anyway.
    if (origin !== undefined && origin !== this.#ownOrigin) return refuse(socket, 403, 'Forbidden');
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, socket, request));
  }

  #accept(ws: WebSocket, socket: Duplex, request: IncomingMessage): void {
    const conn = new Connection(ws, socket, this.#limits, this.#endOfTurn, performance.now(), (code) => {
      this.#closesByCode.set(code, this.closedWith(code) + 1);
    });
    this.#all.add(conn);
    ws.on('message', (data, isBinary) => this.#onMessage(conn, data, isBinary));
    ws.on('pong', () => {
      conn.missedPongs = 0;
    });
    ws.on('error', (error) => this.#log.debug({ err: error }, 'websocket error'));
    ws.on('close', () => this.#onClose(conn));
    const token = upgradeToken(request);
    if (token !== undefined) {
      conn.state = 'authenticating';
      conn.enqueue(() => this.#authenticate(conn, token));
    } else {
      conn.authTimer = setTimeout(
        () => conn.close(CLOSE_CODES.UNAUTHENTICATED, 'authenticate first'),
        this.#limits.authTimeoutMs,
      );
      conn.authTimer.unref();
    }
  }

  async #authenticate(conn: Connection, token: string): Promise<void> {
    const started = performance.now();
    let actor;
    try {
      actor = await resolveSessionToken(this.#services, token);
    } catch (error) {
      this.#log.error({ err: error }, 'realtime authentication failed');
      conn.close(1011, 'internal error; retry');
      return;
    }
    if (conn.state === 'closed') return;
    if (actor === undefined) {
      conn.close(CLOSE_CODES.UNAUTHENTICATED, 'unknown or ended session');
      return;
    }
    // A logout or suspension committed while we were looking the session up: its bus message passed before
    // this connection was indexed.
    if (this.#revokedSince(started, actor.user.id, actor.session.id)) {
      conn.close(CLOSE_CODES.SESSION_REVOKED, 'session ended');
      return;
    }
    clearTimeout(conn.authTimer);
    conn.actor = actor;
    conn.state = 'ready';
    const userId = actor.user.id;
    const first = !this.#byUser.has(userId);
    addTo(this.#byUser, userId, conn);
    addTo(this.#bySession, actor.session.id, conn);
    // Recorded before `ready`: once a device is told it is connected, any process asking whether its user is
    // online sees it (a phone closing on another process at that moment does not announce them offline).
    if (first) await this.#cameOnline(userId);
    conn.sendFrame({
      type: 'ready',
      userId,
      sessionId: actor.session.id,
      serverTime: this.#services.clock.now(),
      protocolVersion: PROTOCOL_VERSION,
    });
    await this.#sendPresenceSnapshot(conn, userId);
  }

  /** The contacts' current presence, right after `ready`; changes that race with it follow it. */
  async #sendPresenceSnapshot(conn: Connection, userId: UserId): Promise<void> {
    conn.beginPresenceSnapshot();
    try {
      const snapshot = await presenceSnapshot(this.#services, userId, (ids) => this.#online.onlineAmong(ids));
      conn.endPresenceSnapshot({
        type: 'presences',
        users: snapshot.users.map((u) => ({ ...u })),
        truncated: snapshot.truncated,
        at: this.#services.clock.now(),
      });
    } catch (error) {
      conn.endPresenceSnapshot(undefined);
      this.#log.warn({ err: error }, 'presence snapshot failed');
    }
  }

  /** The user's first connection here: recorded for the cluster, then announced to their contacts. */
  async #cameOnline(userId: UserId): Promise<void> {
    try {
      await this.#online.userConnected(userId);
    } catch (error) {
      this.#log.warn({ err: error }, 'recording an online user failed');
    }
    // Their last connection may have closed while the row was written.
    if (this.#byUser.has(userId)) this.#announce(userId, true);
    else await this.#online.userDisconnected(userId).catch(() => undefined);
  }

  /** The user's last connection here closed: offline, unless connected to another process (or here again). */
  #wentOffline(userId: UserId): void {
    this.#online
      .userDisconnected(userId)
      .then((elsewhere) => {
        if (!elsewhere && !this.#byUser.has(userId)) this.#announce(userId, false);
      })
      .catch((error: unknown) => {
        this.#log.warn({ err: error }, 'recording an offline user failed');
      });
  }

  #onClose(conn: Connection): void {
    conn.disposed();
    this.#all.delete(conn);
    const actor = conn.actor;
    if (actor === undefined) return;
    removeFrom(this.#bySession, actor.session.id, conn);
    const last = removeFrom(this.#byUser, actor.user.id, conn);
    // On shutdown the clients reconnect elsewhere: nobody went offline.
    if (last && this.#closing === undefined) this.#wentOffline(actor.user.id);
  }

  #announce(userId: UserId, online: boolean): void {
    announcePresence(this.#services, userId, online).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'presence announcement failed');
    });
  }

  // ---- frames --------------------------------------------------------------------------------------------

  #onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.state === 'closed') return;
    if (!this.#withinBudget(conn, conn.limiter.take(performance.now()), null, 'frames')) return;
    if (isBinary) {
      this.#protocolError(conn, 'VALIDATION_FAILED', 'frames are JSON text; binary frames are refused', null);
      return;
    }
    const parsed = parseClientFrame(rawText(data));
    if (conn.state === 'anonymous') {
      if (parsed.ok && parsed.frame.type === 'auth') {
        conn.state = 'authenticating';
        const token = parsed.frame.token;
        conn.enqueue(() => this.#authenticate(conn, token));
      } else {
        conn.close(CLOSE_CODES.UNAUTHENTICATED, 'the first frame must be auth');
      }
      return;
    }
    if (!parsed.ok) {
      this.#protocolError(conn, parsed.code, parsed.message, parsed.requestId, parsed.details);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'auth') {
      this.#protocolError(conn, 'VALIDATION_FAILED', 'the connection is authenticated already', null);
      return;
    }
    const requestId = 'requestId' in frame ? (frame.requestId ?? null) : null;
    if (
      WRITING_FRAMES.has(frame.type) &&
      !this.#withinBudget(conn, conn.limiter.takeWrite(performance.now()), requestId, 'writes')
    )
      return;
    const accepted = conn.enqueue(() => this.#handle(conn, frame));
    if (!accepted) this.#rateLimited(conn, requestId, 'frames');
  }

  /**
   * Applies a rate verdict: over the limit, the frame is dropped (a request gets RATE_LIMITED, other frames a
   * warning at most once a second) and reading pauses; a flood that goes on is cut off with 4429. True when the
   * frame may be handled.
   */
  #withinBudget(
    conn: Connection,
    verdict: RateVerdict,
    requestId: string | null,
    budget: 'frames' | 'writes',
  ): boolean {
    if (verdict === 'ok') return true;
    if (verdict === 'close') {
      conn.cutOff(CLOSE_CODES.RATE_LIMITED, budget === 'writes' ? 'too many writes' : 'too many frames');
      return false;
    }
    // A request is always answered (a client waiting for its reply would otherwise hang until its timeout); an
    // unanswerable frame (no requestId) is warned about at most once a second.
    if (verdict.warn || requestId !== null) this.#rateLimited(conn, requestId, budget);
    conn.throttle(THROTTLE_MS);
    return false;
  }

  async #handle(conn: Connection, frame: Exclude<ClientFrame, { type: 'auth' }>): Promise<void> {
    const actor = conn.actor;
    if (actor === undefined) return; // authentication failed and closed the connection
    const requestId = 'requestId' in frame ? (frame.requestId ?? null) : null;
    try {
      switch (frame.type) {
        case 'send': {
          const ack = await sendEvent(this.#services, actor, frame.conversationId, frame.event);
          conn.sendFrame({ type: 'ack', requestId: frame.requestId, ack });
          return;
        }
        case 'sync':
          await this.#sync(conn, frame.requestId, frame.token);
          return;
        case 'read':
          // Same action as POST /conversations/:id/read; members sharing receipts get a `receipt` frame.
          await markRead(this.#services, actor, frame.conversationId, frame.seq);
          return;
        case 'typing': {
          const now = performance.now();
          const last = conn.typingAt.get(frame.conversationId);
          if (last !== undefined && now - last < this.#limits.typingIntervalMs) return;
          if (conn.typingAt.size >= 64) pruneTyping(conn.typingAt, now, this.#limits.typingIntervalMs);
          conn.typingAt.set(frame.conversationId, now);
          await notifyTyping(this.#services, actor, frame.conversationId);
          return;
        }
        case 'presence':
          await setPresence(this.#services, actor, frame.availability, frame.text ?? null);
          return;
        case 'delivered':
          // Coalesced and written later; membership is checked when written, and nothing is answered.
          for (const { conversationId, seq } of frame.positions) {
            this.#deliveries.note(actor, conversationId, seq);
          }
          return;
        case 'ping':
          conn.sendFrame({
            type: 'pong',
            ...(frame.requestId === undefined ? {} : { requestId: frame.requestId }),
            serverTime: this.#services.clock.now(),
          });
          return;
      }
    } catch (error) {
      if (error instanceof DomainError) {
        conn.sendFrame({
          type: 'error',
          requestId,
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: { ...error.details } }),
        });
        return;
      }
      this.#log.error({ err: error, frame: frame.type }, 'realtime frame failed');
      conn.sendFrame({ type: 'error', requestId, code: 'INTERNAL', message: 'unexpected server error' });
    }
  }

  /**
   * Resume: live events are held back from before the query until the missed ones went out, then those the
   * sync did not cover follow, so nothing falls between sync and live and nothing comes twice.
   */
  async #sync(conn: Connection, requestId: string, token: string | undefined): Promise<void> {
    const actor = conn.actor;
    if (actor === undefined) return;
    conn.beginSync();
    let result;
    try {
      result = await syncEvents(this.#services, actor, token, this.#limits.syncBatch);
    } catch (error) {
      conn.endSync(() => false);
      throw error;
    }
    const pace = this.#limits.maxBufferedBytes / 2;
    for (const event of result.events) {
      if (conn.sentRecently(event.conversationId, event.seq)) continue;
      if (conn.bufferedAmount > pace && !(await conn.drained(pace / 2, 30_000))) {
        if (conn.open) conn.close(CLOSE_CODES.BACKPRESSURE, 'send queue overflow during sync');
        return;
      }
      conn.send(textFrame(JSON.stringify({ type: 'event', event })));
    }
    // Resuming from a token proves the device stored everything it covers.
    if (token !== undefined && token !== '') this.#deliveries.noteAll(actor, decodeSyncToken(token).seqs);
    const positions = decodeSyncToken(result.token).seqs;
    const complete = conn.endSync(
      result.hasMore
        ? 'all'
        : (e) => {
            const position = positions.get(e.conversationId);
            return position !== undefined && e.seq <= position;
          },
    );
    conn.sendFrame({
      type: 'synced',
      requestId,
      token: result.token,
      hasMore: result.hasMore || !complete,
      leftConversationIds: [...result.leftConversationIds],
    });
  }

  #protocolError(
    conn: Connection,
    code: ErrorCode,
    message: string,
    requestId: string | null,
    details?: Readonly<Record<string, unknown>>,
  ): void {
    conn.protocolErrors += 1;
    conn.sendFrame({
      type: 'error',
      requestId,
      code,
      message,
      ...(details === undefined ? {} : { details: { ...details } }),
    });
    if (conn.protocolErrors >= this.#limits.maxProtocolErrors) {
      conn.close(CLOSE_CODES.PROTOCOL_ERROR, 'too many invalid frames');
    }
  }

  #rateLimited(conn: Connection, requestId: string | null, budget: 'frames' | 'writes'): void {
    const { perSecond, writesPerSecond } = conn.limiter.options;
    const limit =
      budget === 'writes'
        ? `${String(writesPerSecond)} send and read frames per second`
        : `${String(perSecond)} frames per second`;
    conn.sendFrame({
      type: 'error',
      requestId,
      code: 'RATE_LIMITED',
      message: `slow down: at most ${limit}; dropped frames were not handled`,
      details: { retryAfterSeconds: 1 },
    });
  }

  // ---- fan-out -------------------------------------------------------------------------------------------

  #onBus(message: BusMessage): void {
    switch (message.type) {
      case 'event.created': {
        const { conversationId, seq } = message.event;
        let frame: TextFrame | undefined;
        for (const userId of message.recipients) {
          const connections = this.#byUser.get(userId);
          if (connections === undefined) continue;
          // Serialised and framed once, written as the same bytes to every recipient connection.
          frame ??= textFrame(JSON.stringify({ type: 'event', event: message.event }));
          for (const conn of connections) conn.deliverEvent(conversationId, seq, frame);
        }
        return;
      }
      case 'ephemeral': {
        const presence = message.frame['type'] === 'presence';
        let frame: TextFrame | undefined;
        for (const userId of message.recipients) {
          const connections = this.#byUser.get(userId);
          if (connections === undefined) continue;
          frame ??= textFrame(JSON.stringify(message.frame));
          for (const conn of connections) {
            if (presence) conn.deliverPresence(frame);
            else conn.send(frame);
          }
        }
        return;
      }
      case 'resync':
        this.#askToResync(message.reason);
        return;
      case 'sessions.revoked':
        this.#rememberRevocation(message);
        for (const conn of this.#revokedConnections(message)) {
          conn.close(CLOSE_CODES.SESSION_REVOKED, 'session ended');
        }
        return;
      case 'membership.changed':
        // Recipients come with every event; nothing is cached here that membership could make stale.
        return;
    }
  }

  /** Every device connected here syncs from its token (live events may have been lost on the bus). */
  #askToResync(reason: string): void {
    const frame = textFrame(
      JSON.stringify({ type: 'resync', reason, jitterMs: this.#limits.resyncJitterMs }),
    );
    let told = 0;
    for (const conn of this.#all) {
      if (conn.state === 'ready' && conn.send(frame)) told += 1;
    }
    this.#log.warn({ reason, devices: told }, 'asked devices to sync after a cluster bus outage');
  }

  #revokedConnections(message: Extract<BusMessage, { type: 'sessions.revoked' }>): Connection[] {
    if (message.sessionIds === 'all') {
      return [...(this.#byUser.get(message.userId) ?? [])].filter(
        (c) => c.actor?.session.id !== message.except,
      );
    }
    return message.sessionIds.flatMap((id) =>
      [...(this.#bySession.get(id) ?? [])].filter((c) => c.actor?.user.id === message.userId),
    );
  }

  #rememberRevocation(message: Extract<BusMessage, { type: 'sessions.revoked' }>): void {
    const now = performance.now();
    while (this.#revocations.length > 0 && now - (this.#revocations[0]?.at ?? now) > REVOCATION_MEMORY_MS) {
      this.#revocations.shift();
    }
    this.#revocations.push({ at: now, message });
  }

  #revokedSince(since: number, userId: string, sessionId: string): boolean {
    return this.#revocations.some(
      ({ at, message }) =>
        at >= since &&
        message.userId === userId &&
        (message.sessionIds === 'all'
          ? message.except !== sessionId
          : message.sessionIds.includes(sessionId)),
    );
  }

  // ---- heartbeats ----------------------------------------------------------------------------------------

  #startHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      for (const conn of this.#all) {
        if (conn.missedPongs >= 2) {
          conn.ws.terminate();
          continue;
        }
        conn.missedPongs += 1;
        conn.ws.ping();
      }
    }, this.#limits.heartbeatMs);
    this.#heartbeat.unref();
  }
}

// ---- helpers ---------------------------------------------------------------------------------------------

const TOKEN = /^[A-Za-z0-9_-]{20,128}$/;
const BEARER = /^Bearer ([A-Za-z0-9_-]{20,128})$/;

/** The session token that came with the upgrade request: a bearer header, or the session cookie. */
function upgradeToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) return BEARER.exec(header)?.[1];
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (TOKEN.test(value)) return value;
  }
  return undefined;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${String(status)} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function addTo(index: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  let set = index.get(key);
  if (set === undefined) {
    set = new Set();
    index.set(key, set);
  }
  set.add(conn);
}

/** Removes a connection; true when it was the key's last one. */
function removeFrom(index: Map<string, Set<Connection>>, key: string, conn: Connection): boolean {
  const set = index.get(key);
  if (set?.delete(conn) !== true) return false;
  if (set.size > 0) return false;
  index.delete(key);
  return true;
}

function pruneTyping(typingAt: Map<string, number>, now: number, intervalMs: number): void {
  for (const [id, at] of typingAt) if (now - at >= intervalMs) typingAt.delete(id);
}
