import type { TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/**
 * Second-factor storage: the single-use recovery codes (stored as SHA-256 only) and the TOTP replay guard.
 */

/** Replaces every recovery code of a user with the given hashes (enrolment, regeneration). */
export async function replaceRecoveryCodes(
  db: Db,
  userId: UserId,
  codeHashes: readonly string[],
): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (codeHashes.length === 0) return;
  await db
    .insertInto('recovery_codes')
    .values(codeHashes.map((hash) => ({ user_id: userId, code_hash: hash, used_at: null })))
    .execute();
}

export async function deleteRecoveryCodes(db: Db, userId: UserId): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}

/** Uses up an unused recovery code, atomically: of two concurrent uses exactly one wins. */
export async function useRecoveryCode(
  db: Db,
  userId: UserId,
  codeHash: string,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Db, userId: UserId): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * Records that a TOTP time step has been accepted, only if it is later than every step accepted before: a code
 * can then never be used twice, even by two concurrent requests. False means the step is stale (a replay).
 */
export async function claimTotpStep(
  db: Db,
  userId: UserId,
  step: number,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step, updated_at: now })
    .where('id', '=', userId)
    .where('totp_last_step', '<', step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
