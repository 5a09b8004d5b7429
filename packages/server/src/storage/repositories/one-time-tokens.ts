import type { TimestampMs } from '@enlets/protocol';
import type { Db } from './users.js';

/** What a one-time token (in an e-mailed or printed link) is for. */
export type TokenPurpose = 'setup' | 'email_verification' | 'invitation' | 'password_reset';

export interface NewOneTimeToken {
  readonly tokenHash: string;
  readonly purpose: TokenPurpose;
  readonly subjectId: string;
  readonly now: TimestampMs;
  readonly expiresAt: TimestampMs;
}

export async function insertOneTimeToken(db: Db, t: NewOneTimeToken): Promise<void> {
  await db
    .insertInto('one_time_tokens')
    .values({
      token_hash: t.tokenHash,
      purpose: t.purpose,
      subject_id: t.subjectId,
      created_at: t.now,
      expires_at: t.expiresAt,
      used_at: null,
    })
    .execute();
}

/**
 * Marks a live token used and returns its subject, atomically: of two concurrent redemptions exactly one wins.
 * Unknown, expired, used and wrong-purpose tokens all give undefined (the caller answers TOKEN_INVALID).
 */
export async function consumeOneTimeToken(
  db: Db,
  tokenHash: string,
  purpose: TokenPurpose,
  now: TimestampMs,
): Promise<string | undefined> {
  const result = await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  const row = await db
    .selectFrom('one_time_tokens')
    .select('subject_id')
    .where('token_hash', '=', tokenHash)
    .executeTakeFirstOrThrow();
  return row.subject_id;
}

/** Reads a live token's subject without using it up (to show an activation form before it is submitted). */
export async function peekOneTimeToken(
  db: Db,
  tokenHash: string,
  purpose: TokenPurpose,
  now: TimestampMs,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('one_time_tokens')
    .select('subject_id')
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.subject_id;
}

/** Voids every live token of a purpose for a subject (a new reset link makes the older ones useless). */
export async function voidOneTimeTokens(
  db: Db,
  purpose: TokenPurpose,
  subjectId: string,
  now: TimestampMs,
): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('purpose', '=', purpose)
    .where('subject_id', '=', subjectId)
    .where('used_at', 'is', null)
    .execute();
}
