import { clearTimer, type TimerHandle } from '../runtime.js';
import { backgroundTimer } from './timers.js';

/**
 * A large group (ADR 0021) is changed by its managers only, in batches: a device that is not in it yet waits
 * for the Welcome of a manager's batch commit instead of joining by external commit.
 */
export class WelcomePendingError extends Error {
  override readonly name = 'WelcomePendingError';
}

/**
 * How often a manager's device commits the pending changes of a large group it manages: every `intervalMs`
 * (±25 %, so the devices of several managers drift apart rather than race every time), or at once when
 * membership events announce `maxPending` changes.
 */
export interface BatchCommitPolicy {
  readonly intervalMs: number;
  readonly maxPending: number;
}

export const DEFAULT_BATCH_COMMIT_POLICY: BatchCommitPolicy = { intervalMs: 10_000, maxPending: 50 };

/**
 * Keeps the batch commits of the large groups this device manages going. Which groups those are, the server
 * says with each live-devices answer (`membershipCommits`), so the set follows role changes and group growth.
 * `run` commits one group's pending changes; it is never called twice at once for a group (it runs in the
 * group's chain), and its failures are the caller's to report.
 */
export class BatchCommitScheduler {
  readonly #policy: BatchCommitPolicy;
  readonly #run: (conversationId: string) => Promise<void>;
  readonly #watched = new Set<string>();
  /** Changes announced by membership events since the last batch, per group. */
  readonly #announced = new Map<string, number>();
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(policy: BatchCommitPolicy, run: (conversationId: string) => Promise<void>) {
    this.#policy = policy;
    this.#run = run;
  }

  /** Whether this device batches the group's changes (a large group it manages). */
  watch(conversationId: string, batches: boolean): void {
    if (this.#closed) return;
    if (batches) this.#watched.add(conversationId);
    else {
      this.#watched.delete(conversationId);
      this.#announced.delete(conversationId);
    }
    if (this.#watched.size > 0) this.#arm();
    else this.#disarm();
  }

  watches(conversationId: string): boolean {
    return this.#watched.has(conversationId);
  }

  /** Membership events announced `count` changes: enough of them are committed now, not at the next tick. */
  announce(conversationId: string, count: number): void {
    if (!this.#watched.has(conversationId)) return;
    const total = (this.#announced.get(conversationId) ?? 0) + count;
    if (total < this.#policy.maxPending) {
      this.#announced.set(conversationId, total);
      return;
    }
    this.#announced.delete(conversationId);
    void this.#run(conversationId);
  }

  close(): void {
    this.#closed = true;
    this.#watched.clear();
    this.#disarm();
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    const spread = 0.75 + Math.random() * 0.5;
    this.#timer = backgroundTimer(() => {
      this.#timer = undefined;
      for (const conversationId of this.#watched) {
        this.#announced.delete(conversationId);
        void this.#run(conversationId);
      }
      if (this.#watched.size > 0 && !this.#closed) this.#arm();
    }, this.#policy.intervalMs * spread);
  }

  #disarm(): void {
    clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
