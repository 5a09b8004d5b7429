import type { TimestampMs } from '@enlets/protocol';

/** The one source of time, so tests can move it (token expiry, lockouts, mail backoff) without sleeping. */
export interface Clock {
  now(): TimestampMs;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can move by hand. */
export class ManualClock implements Clock {
  #now: TimestampMs;
  constructor(start: TimestampMs = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  now(): TimestampMs {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
