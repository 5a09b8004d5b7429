import { clearTimer, type TimerHandle } from '../runtime.js';
import { backgroundTimer } from './timers.js';

/**
 * Schedules the self-updates of a device that reads more than it sends (ADR 0021, "Leaf renewal"): once its
 * leaf is due in a group (`renewalDue`), the renewal runs after a random delay of up to `jitterMs`, so the
 * thousands of readers of a channel whose period ended together spread their commits out. At most one renewal
 * is scheduled per group; `notBefore` holds one back (the server said it came too soon).
 */
export class LeafRenewalScheduler {
  readonly #jitterMs: number;
  readonly #renew: (conversationId: string) => Promise<void>;
  readonly #scheduled = new Map<string, TimerHandle>();
  readonly #heldUntil = new Map<string, number>();
  #closed = false;

  constructor(jitterMs: number, renew: (conversationId: string) => Promise<void>) {
    this.#jitterMs = jitterMs;
    this.#renew = renew;
  }

  /** True when nothing holds the group's renewal back at `now` (and none is scheduled already). */
  mayRenew(conversationId: string, now: number): boolean {
    return !this.#scheduled.has(conversationId) && now >= (this.#heldUntil.get(conversationId) ?? 0);
  }

  schedule(conversationId: string): void {
    if (this.#closed || this.#scheduled.has(conversationId)) return;
    const delay = Math.floor(Math.random() * this.#jitterMs);
    const timer = backgroundTimer(() => {
      this.#scheduled.delete(conversationId);
      void this.#renew(conversationId);
    }, delay);
    this.#scheduled.set(conversationId, timer);
  }

  /** The server refused a renewal as too soon: no new one before `until` (the messenger's clock). */
  holdUntil(conversationId: string, until: number): void {
    this.#heldUntil.set(conversationId, until);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#scheduled.values()) clearTimer(timer);
    this.#scheduled.clear();
  }
}
