/** How long to wait before retry number `attempt` (1-based). */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2 };

/**
 * Exponential backoff with "equal jitter": half the capped delay, plus a random share of the other half, so a
 * thousand clients cut off together do not come back in lockstep, and none retries at once.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.min(exponent, 30));
  return Math.round(capped / 2 + random() * (capped / 2));
}
