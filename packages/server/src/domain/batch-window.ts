/**
 * How long the first send of a batch waits for company, from how fast sends arrive (docs/performance.md, round 5).
 *
 * A longer wait puts more sends in one transaction (one fsync) and, because a batch's events leave in one
 * event-loop turn, gathers more of a connection's frames into one socket write: the system call per delivery
 * was the largest cost of the room fan-out. When sends are rare that buys nothing and only delays the
 * acknowledgement, so the wait is short; when they pour in, the server is the bottleneck, sends queue anyway,
 * and a longer wait costs little latency while it cuts the work per delivery (1,600 msg/s: 12.2 µs per delivery
 * with 3 ms, 9.4 µs with 15 ms, p99 lower too).
 */
export interface BatchWindowShape {
  /** The wait when sends are rare. */
  readonly quietMs: number;
  /** The wait at and above `busyRate`. */
  readonly busyMs: number;
  /** Sends per second up to which the wait stays `quietMs`; between the two rates it grows linearly. */
  readonly quietRate: number;
  readonly busyRate: number;
}

/** Measured on SQLite with the room fan-out (`bench/fanout/run.sh`). */
export const SQLITE_BATCH_WINDOW: BatchWindowShape = {
  quietMs: 3,
  busyMs: 15,
  quietRate: 400,
  busyRate: 1_200,
};

/** The span over which the arrival rate is counted: long enough to smooth bursts, short enough to follow load. */
const RATE_SPAN_MS = 100;

/** The wait for a given arrival rate (sends per second). */
export function batchWindowFor(shape: BatchWindowShape, sendsPerSecond: number): number {
  if (sendsPerSecond <= shape.quietRate) return shape.quietMs;
  if (sendsPerSecond >= shape.busyRate) return shape.busyMs;
  const share = (sendsPerSecond - shape.quietRate) / (shape.busyRate - shape.quietRate);
  return shape.quietMs + share * (shape.busyMs - shape.quietMs);
}

/** Counts arriving sends and answers the wait that fits the latest rate. */
export class AdaptiveBatchWindow {
  readonly #shape: BatchWindowShape;
  #spanStart = 0;
  #spanCount = 0;
  #rate = 0;

  constructor(shape: BatchWindowShape) {
    this.#shape = shape;
  }

  /** Records one arriving send at `now` (milliseconds, monotonic). */
  noteSend(now: number): void {
    const elapsed = now - this.#spanStart;
    if (elapsed >= RATE_SPAN_MS) {
      // A long silence yields a low rate: the count is spread over the whole time since the span began.
      this.#rate = (this.#spanCount * 1_000) / elapsed;
      this.#spanStart = now;
      this.#spanCount = 0;
    }
    this.#spanCount += 1;
  }

  /** The wait for the batch being formed now. */
  windowMs(now: number): number {
    const elapsed = now - this.#spanStart;
    // The span under way counts once it says more than the last one (a burst after a lull).
    const current = elapsed > 0 ? (this.#spanCount * 1_000) / Math.max(elapsed, RATE_SPAN_MS) : 0;
    return batchWindowFor(this.#shape, Math.max(this.#rate, current));
  }
}
