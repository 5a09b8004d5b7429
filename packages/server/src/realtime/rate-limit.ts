/**
 * Per-connection frame rate limiting: a token bucket (steady rate plus a burst), and a flood detector that
 * says when a client has kept exceeding it long enough to be disconnected. Time is a monotonic clock in ms,
 * passed in, so tests need no sleeping.
 */
export interface RateLimitOptions {
  /** Frames per second a client may send in the long run. */
  readonly perSecond: number;
  /** Frames a client may send at once after being quiet. */
  readonly burst: number;
  /** A client still over the limit after this long (with no quiet second in between) is disconnected. */
  readonly floodCloseMs: number;
}

export type RateVerdict =
  /** Within the limit: process the frame. */
  | 'ok'
  /** Over the limit: drop the frame; `warn` says whether to tell the client (at most once a second). */
  | { readonly drop: true; readonly warn: boolean }
  /** Flooding for longer than `floodCloseMs`: disconnect. */
  | 'close';

/** A quiet second (no dropped frame) ends a flood. */
const FLOOD_GAP_MS = 1000;
const WARN_INTERVAL_MS = 1000;

export class FrameRateLimiter {
  #tokens: number;
  #last: number;
  #floodSince: number | undefined;
  #lastDrop = -Infinity;
  #lastWarn = -Infinity;

  constructor(
    private readonly options: RateLimitOptions,
    now: number,
  ) {
    this.#tokens = options.burst;
    this.#last = now;
  }

  take(now: number): RateVerdict {
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.options.burst, this.#tokens + (elapsed * this.options.perSecond) / 1000);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 'ok';
    }
    if (this.#floodSince === undefined || now - this.#lastDrop >= FLOOD_GAP_MS) this.#floodSince = now;
    this.#lastDrop = now;
    if (now - this.#floodSince >= this.options.floodCloseMs) return 'close';
    const warn = now - this.#lastWarn >= WARN_INTERVAL_MS;
    if (warn) this.#lastWarn = now;
    return { drop: true, warn };
  }
}
