import type { WebSocket } from 'ws';
import type { ServerFrame } from '@enlets/protocol';
import type { Actor } from '../domain/actor.js';
import { FrameRateLimiter, type RateLimitOptions } from './rate-limit.js';

/** How long a closing connection may take to finish the close handshake before its socket is destroyed. */
const CLOSE_GRACE_MS = 5000;
/** Keys of events sent live that a later `sync` on the same connection must not repeat. */
const RECENT_EVENT_KEYS = 256;
/** Live events held back while a `sync` runs; beyond this the client is told to sync again instead. */
const MAX_SYNC_BUFFER = 2000;
/** Presence changes held back while the connection's presence snapshot is read; beyond this they go at once. */
const MAX_PRESENCE_HOLD = 256;
/**
 * How long the server stops reading from a client that went over its frame rate. Dropping frames one by one
 * still costs decoding each of them on the one event loop every client shares; not reading lets TCP push back
 * on the flooder instead. Shorter than the rate limiter's quiet second, so a flood that goes on is still closed
 * with 4429.
 */
export const THROTTLE_MS = 250;

export interface ConnectionLimits {
  /** Bytes waiting to be written to a client beyond which it is disconnected (close 4408). */
  readonly maxBufferedBytes: number;
  /** Frames accepted but not yet handled (they are handled one after another). */
  readonly maxQueuedFrames: number;
  /** Frame budgets; the write budget (`send`, `read`) is separate and smaller (rate-limit.ts). */
  readonly rate: RateLimitOptions;
}

interface BufferedEvent {
  readonly conversationId: string;
  readonly seq: number;
  readonly data: Buffer;
}

export type ConnectionState = 'anonymous' | 'authenticating' | 'ready' | 'closed';

/**
 * One WebSocket client: who it is, its send queue with a hard bound (a client that reads too slowly is
 * disconnected rather than buffered without end), the frames it sent waiting to be handled (one at a time,
 * in order), its rate limiter, and the live events held back while a `sync` runs.
 */
export class Connection {
  state: ConnectionState = 'anonymous';
  actor: Actor | undefined;
  /** Heartbeat pings not answered yet. */
  missedPongs = 0;
  /** Frames that were not valid JSON or not a valid frame. */
  protocolErrors = 0;
  authTimer: NodeJS.Timeout | undefined;
  /** When a `typing` frame per conversation last went out (monotonic ms). */
  readonly typingAt = new Map<string, number>();
  readonly limiter: FrameRateLimiter;
  closeCode: number | undefined;

  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  #syncBuffer: BufferedEvent[] | undefined;
  #syncOverflow = false;
  #recent: Set<string> | undefined;
  #presenceHold: Buffer[] | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #throttleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    private readonly limits: ConnectionLimits,
    now: number,
    /** Told of every close the server starts, by code (the gateway counts them). */
    private readonly onServerClose: (code: number) => void = () => undefined,
  ) {
    this.limiter = new FrameRateLimiter(limits.rate, now);
  }

  get open(): boolean {
    return this.state !== 'closed' && this.ws.readyState === this.ws.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Runs `task` after the frames before it. False (and nothing runs) when too many are waiting already. A task
   * handles its own errors; one that throws anyway is swallowed so the frames after it still run.
   */
  enqueue(task: () => Promise<void>): boolean {
    if (this.#queued >= this.limits.maxQueuedFrames) return false;
    this.#queued += 1;
    this.#chain = this.#chain.then(async () => {
      try {
        if (this.state !== 'closed') await task();
      } catch {
        // The gateway logs and answers failures inside its tasks; nothing may break the chain.
      } finally {
        this.#queued -= 1;
      }
    });
    return true;
  }

  /**
   * Sends a text frame unless the client's queue would pass the limit: then the client is disconnected with
   * 4408 (it must reconnect and sync). False when nothing was sent.
   */
  send(data: string | Buffer): boolean {
    if (!this.open) return false;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.ws.bufferedAmount + size > this.limits.maxBufferedBytes) {
      this.close(4408, 'send queue overflow: read faster, then reconnect and sync');
      return false;
    }
    // A Buffer goes out as is (a text frame): fan-out encodes an event once, not once per recipient.
    this.ws.send(data, { binary: false });
    return true;
  }

  sendFrame(frame: ServerFrame): boolean {
    return this.send(JSON.stringify(frame));
  }

  /** A live event (serialised once for all its recipients): held back during a sync, sent otherwise. */
  deliverEvent(conversationId: string, seq: number, data: Buffer): void {
    if (this.#syncBuffer !== undefined) {
      if (this.#syncBuffer.length >= MAX_SYNC_BUFFER) {
        this.#syncOverflow = true;
        this.#syncBuffer.length = 0;
      }
      if (!this.#syncOverflow) this.#syncBuffer.push({ conversationId, seq, data });
      return;
    }
    if (this.send(data)) this.#remember(conversationId, seq);
  }

  /**
   * A contact's presence change. While the snapshot is read it waits, and follows the snapshot: a change that
   * raced with the read must not be overwritten by the older state the snapshot holds.
   */
  deliverPresence(data: Buffer): void {
    if (this.#presenceHold !== undefined && this.#presenceHold.length < MAX_PRESENCE_HOLD) {
      this.#presenceHold.push(data);
      return;
    }
    this.send(data);
  }

  /** From now on presence changes wait until `endPresenceSnapshot`. */
  beginPresenceSnapshot(): void {
    this.#presenceHold = [];
  }

  /** Sends the snapshot (unless it failed), then the changes that arrived meanwhile. */
  endPresenceSnapshot(snapshot: ServerFrame | undefined): void {
    const held = this.#presenceHold ?? [];
    this.#presenceHold = undefined;
    if (snapshot !== undefined) this.sendFrame(snapshot);
    for (const data of held) this.send(data);
  }

  /** Whether this connection already sent an event live (so a sync need not send it again). */
  sentRecently(conversationId: string, seq: number): boolean {
    return this.#recent?.has(`${conversationId}:${String(seq)}`) ?? false;
  }

  /** From now on live events wait until `endSync`. */
  beginSync(): void {
    this.#syncBuffer = [];
    this.#syncOverflow = false;
  }

  /**
   * Sends the live events that arrived during the sync and that the sync did not cover (`covered` says
   * which it did). Returns false when events had to be dropped: the client must sync again from its new token.
   */
  endSync(covered: ((e: BufferedEvent) => boolean) | 'all'): boolean {
    const buffered = this.#syncBuffer ?? [];
    const complete = !this.#syncOverflow;
    this.#syncBuffer = undefined;
    this.#syncOverflow = false;
    if (covered === 'all') return complete;
    for (const e of buffered) {
      if (covered(e)) continue;
      if (this.send(e.data)) this.#remember(e.conversationId, e.seq);
    }
    return complete;
  }

  #remember(conversationId: string, seq: number): void {
    this.#recent ??= new Set();
    if (this.#recent.size >= RECENT_EVENT_KEYS) {
      const oldest = this.#recent.values().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
    this.#recent.add(`${conversationId}:${String(seq)}`);
  }

  /**
   * Resolves once the client has read enough of what was sent (a big sync is paced by the client's reading,
   * not buffered whole). False when the connection closed or the client stayed stuck past `timeoutMs`.
   */
  async drained(belowBytes: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.open && this.ws.bufferedAmount > belowBytes) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.open;
  }

  /**
   * Stops reading from the client for `ms` (frames it sends meanwhile wait in its TCP connection, not in our
   * memory). Frames already received are still handled; a connection already throttled stays as it is.
   */
  throttle(ms: number): void {
    if (this.#throttleTimer !== undefined || !this.open) return;
    this.ws.pause();
    this.#throttleTimer = setTimeout(() => {
      this.#throttleTimer = undefined;
      if (this.open) this.ws.resume();
    }, ms);
    this.#throttleTimer.unref();
  }

  #endThrottle(): void {
    clearTimeout(this.#throttleTimer);
    this.#throttleTimer = undefined;
  }

  /** Starts the close handshake; a client that does not finish it within a few seconds is cut off. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    // Read again, so that the client's answer to the close frame arrives.
    if (this.#throttleTimer !== undefined) {
      this.#endThrottle();
      this.ws.resume();
    }
    this.#close(code, reason, CLOSE_GRACE_MS);
  }

  /**
   * Closes a client not worth reading any more (a flooder): it gets the close frame, then a short grace instead
   * of the close handshake, because reading its answer would mean decoding all it sent in the meantime (its
   * TCP buffers can hold megabytes of frames), on the event loop the other clients share.
   */
  cutOff(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.#endThrottle();
    this.ws.pause();
    this.#close(code, reason, THROTTLE_MS);
  }

  #close(code: number, reason: string, graceMs: number): void {
    this.state = 'closed';
    this.closeCode = code;
    this.onServerClose(code);
    clearTimeout(this.authTimer);
    this.#syncBuffer = undefined;
    this.#presenceHold = undefined;
    this.ws.close(code, reason);
    this.#closeTimer = setTimeout(() => this.ws.terminate(), graceMs);
    this.#closeTimer.unref();
  }

  /** The socket is gone (closed by either side): timers stop. */
  disposed(): void {
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.#endThrottle();
    clearTimeout(this.#closeTimer);
    this.#syncBuffer = undefined;
    this.#presenceHold = undefined;
  }
}
