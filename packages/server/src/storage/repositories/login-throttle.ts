import type { TimestampMs } from '@enlets/protocol';
import type { Db } from './users.js';

/** The limits of one throttle key: `maxFailures` within `windowMs` lock the key for `lockMs`. */
export interface ThrottleRule {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

/** The latest `locked_until` among the given keys, or 0 when none is locked (or none has a row). */
export async function findLockedUntil(db: Db, keys: readonly string[]): Promise<TimestampMs> {
  if (keys.length === 0) return 0;
  const row = await db
    .selectFrom('login_throttle')
    .select((eb) => eb.fn.max('locked_until').as('until'))
    .where('key', 'in', [...keys])
    .executeTakeFirst();
  return row?.until ?? 0;
}

/**
 * Counts one failure against a key, atomically on both engines: a failure after the window has passed starts a
 * new window; reaching the limit locks the key and starts the count afresh. Returns whether the key is now locked.
 */
export async function recordFailure(
  db: Db,
  key: string,
  rule: ThrottleRule,
  now: TimestampMs,
): Promise<boolean> {
  await db
    .insertInto('login_throttle')
    .values({ key, failures: 0, window_started_at: now, locked_until: 0 })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const windowStart = now - rule.windowMs;
  await db
    .updateTable('login_throttle')
    .set((eb) => ({
      failures: eb
        .case()
        .when('window_started_at', '<=', windowStart)
        .then(1)
        .else(eb('failures', '+', 1))
        .end(),
      window_started_at: eb
        .case()
        .when('window_started_at', '<=', windowStart)
        .then(now)
        .else(eb.ref('window_started_at'))
        .end(),
    }))
    .where('key', '=', key)
    .execute();
  const locked = await db
    .updateTable('login_throttle')
    .set({ failures: 0, window_started_at: now, locked_until: now + rule.lockMs })
    .where('key', '=', key)
    .where('failures', '>=', rule.maxFailures)
    .executeTakeFirst();
  return Number(locked.numUpdatedRows) > 0;
}

/** Forgets a key's failures and lock (after a successful login or a password reset). */
export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}
