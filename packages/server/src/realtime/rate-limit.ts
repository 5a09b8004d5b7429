/**
 * Per-connection frame rate limiting: two token buckets (a steady rate plus a burst each), and a flood detector
 * that says when a client has kept exceeding them long enough to be disconnected. Every frame draws from the
 * frame bucket before it is even decoded; frames that write to the database (`send`, `read`) also draw from a
 * smaller write bucket once decoded, so a flooder's writes, which cost every client on the same database, are
 * throttled long before its cheap frames (typing, ping, delivered) would be. Time is a monotonic clock in ms,
 * passed in, so tests need no sleeping.
 */
export interface RateLimitOptions {
  /** Frames per second a client may send in the long run. */
  readonly perSecond: number;
  /** Frames a client may send at once after being quiet. */
  readonly burst: number;
  /** Database-writing frames (`send`, `read`) per second in the long run; they count as frames as well. */
  readonly writesPerSecond: number;
  /** Database-writing frames a client may send at once after being quiet. */
  readonly writeBurst: number;
  /** A client still over a limit after this long (with no quiet second in between) is disconnected. */
  readonly floodCloseMs: number;
}

export type RateVerdict =
  /** Within the limit: process the frame. */
  | 'ok'
  /** Over the limit: drop the frame; `warn` says whether to tell the client (at most once a second). */
  | { readonly drop: true; readonly warn: boolean }
  /** Flooding for longer than `floodCloseMs`: disconnect. */
  | 'close';

/** A quiet second (no dropped frame of either kind) ends a flood. */
const FLOOD_GAP_MS = 1000;
const WARN_INTERVAL_MS = 1000;

/** A steady rate with a burst allowance. */
class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#last = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.perSecond) / 1000);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export class FrameRateLimiter {
  readonly #frames: TokenBucket;
  readonly #writes: TokenBucket;
  #floodSince: number | undefined;
  #lastDrop = -Infinity;
  #lastWarn = -Infinity;

  constructor(
    /** The budgets this connection got when it opened. */
    readonly options: RateLimitOptions,
    now: number,
  ) {
    this.#frames = new TokenBucket(options.perSecond, options.burst, now);
    this.#writes = new TokenBucket(options.writesPerSecond, options.writeBurst, now);
  }

  /** Any frame, before it is decoded. */
  take(now: number): RateVerdict {
    return this.#frames.take(now) ? 'ok' : this.#dropped(now);
  }

  /** A decoded frame that writes to the database (it already passed `take`). */
  takeWrite(now: number): RateVerdict {
    return this.#writes.take(now) ? 'ok' : this.#dropped(now);
  }

  #dropped(now: number): RateVerdict {
    if (this.#floodSince === undefined || now - this.#lastDrop >= FLOOD_GAP_MS) this.#floodSince = now;
    this.#lastDrop = now;
    if (now - this.#floodSince >= this.options.floodCloseMs) return 'close';
    const warn = now - this.#lastWarn >= WARN_INTERVAL_MS;
    if (warn) this.#lastWarn = now;
    return { drop: true, warn };
  }
}
