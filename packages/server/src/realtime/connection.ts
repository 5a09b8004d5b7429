import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ServerFrame } from '@enlets/protocol';
import type { Actor } from '../domain/actor.js';
import type { EndOfTurn, GatheredWrites } from './end-of-turn.js';
import { textFrame, type TextFrame } from './frames.js';
import { RecentEvents } from './recent-events.js';
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
/**
 * Frames gathered in one turn are written at once when they reach this size: a big sync or burst goes on to the
 * socket (and the kernel) while it is produced, so the send-queue bound keeps measuring what the client has not
 * read rather than what this turn produced.
 */
const WRITE_AT_ONCE_BYTES = 16 * 1024;

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
  readonly frame: TextFrame;
}

export type ConnectionState = 'anonymous' | 'authenticating' | 'ready' | 'closed';

/**
 * One WebSocket client: who it is, its send queue with a hard bound (a client that reads too slowly is
 * disconnected rather than buffered without end), the frames it sent waiting to be handled (one at a time,
 * in order), its rate limiter, and the live events held back while a `sync` runs.
 *
 * Frames to the client are written to its socket as whole frames (`frames.ts`), gathered during an event-loop
 * turn and written together at its end (`end-of-turn.ts`), all of them through that one path so they keep their
 * order; `ws` itself writes only control frames (ping, pong, close), and a close first writes what was gathered.
 */
export class Connection implements GatheredWrites {
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
  #recent: RecentEvents | undefined;
  #presenceHold: TextFrame[] | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #throttleTimer: NodeJS.Timeout | undefined;
  /** Frames sent during this event-loop turn, not written to the socket yet. */
  #gathered: TextFrame[] = [];
  #gatheredBytes = 0;

  constructor(
    readonly ws: WebSocket,
    /** The upgraded socket under `ws`: where our frames are written. */
    private readonly socket: Duplex,
    private readonly limits: ConnectionLimits,
    private readonly endOfTurn: EndOfTurn,
    now: number,
    /** Told of every close the server starts, by code (the gateway counts them). */
    private readonly onServerClose: (code: number) => void = () => undefined,
  ) {
    this.limiter = new FrameRateLimiter(limits.rate, now);
  }

  get open(): boolean {
    return this.state !== 'closed' && this.ws.readyState === this.ws.OPEN;
  }

  /** Bytes sent to the client and not yet taken by it: in the socket's buffer, or gathered for this turn. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount + this.#gatheredBytes;
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
  send(frame: TextFrame): boolean {
    if (!this.open) return false;
    if (this.bufferedAmount + frame.length > this.limits.maxBufferedBytes) {
      this.close(4408, 'send queue overflow: read faster, then reconnect and sync');
      return false;
    }
    if (this.#gathered.push(frame) === 1) this.endOfTurn.schedule(this);
    this.#gatheredBytes += frame.length;
    if (this.#gatheredBytes >= WRITE_AT_ONCE_BYTES) this.writeGathered();
    return true;
  }

  sendFrame(frame: ServerFrame): boolean {
    return this.send(textFrame(JSON.stringify(frame)));
  }

  /** Writes the frames gathered during this turn to the socket, in one write. */
  writeGathered(): void {
    const gathered = this.#gathered;
    const first = gathered[0];
    if (first === undefined) return;
    const bytes = this.#gatheredBytes;
    this.#gathered = [];
    this.#gatheredBytes = 0;
    // Closed by the client meanwhile (`ws` answers its close frame itself): nothing more may follow.
    if (this.ws.readyState !== this.ws.OPEN || this.socket.destroyed) return;
    this.socket.write(gathered.length === 1 ? first : Buffer.concat(gathered, bytes));
  }

  /** A live event (framed once for all its recipients): held back during a sync, sent otherwise. */
  deliverEvent(conversationId: string, seq: number, frame: TextFrame): void {
    if (this.#syncBuffer !== undefined) {
      if (this.#syncBuffer.length >= MAX_SYNC_BUFFER) {
        this.#syncOverflow = true;
        this.#syncBuffer.length = 0;
      }
      if (!this.#syncOverflow) this.#syncBuffer.push({ conversationId, seq, frame });
      return;
    }
    if (this.send(frame)) this.#remember(conversationId, seq);
  }

  /**
   * A contact's presence change. While the snapshot is read it waits, and follows the snapshot: a change that
   * raced with the read must not be overwritten by the older state the snapshot holds.
   */
  deliverPresence(frame: TextFrame): void {
    if (this.#presenceHold !== undefined && this.#presenceHold.length < MAX_PRESENCE_HOLD) {
      this.#presenceHold.push(frame);
      return;
    }
    this.send(frame);
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
    for (const frame of held) this.send(frame);
  }

  /** Whether this connection already sent an event live (so a sync need not send it again). */
  sentRecently(conversationId: string, seq: number): boolean {
    return this.#recent?.has(conversationId, seq) ?? false;
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
      if (this.send(e.frame)) this.#remember(e.conversationId, e.seq);
    }
    return complete;
  }

  #remember(conversationId: string, seq: number): void {
    this.#recent ??= new RecentEvents(RECENT_EVENT_KEYS);
    this.#recent.add(conversationId, seq);
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
    // What was sent before the close (an error frame explaining it, say) goes out before the close frame.
    this.writeGathered();
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
    this.#gathered = [];
    this.#gatheredBytes = 0;
  }
}
