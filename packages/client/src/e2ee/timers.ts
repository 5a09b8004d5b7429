import { setTimer, type TimerHandle } from '../runtime.js';

/**
 * A timer for background work (batch commits, leaf renewals) that does not keep a Node process alive by itself;
 * browsers have no `unref`, and nothing needs doing there.
 */
export function backgroundTimer(run: () => void, delayMs: number): TimerHandle {
  const timer = setTimer(run, delayMs);
  const unref = typeof timer === 'object' ? (timer as { unref?: () => void }).unref : undefined;
  if (typeof unref === 'function') unref.call(timer);
  return timer;
}
