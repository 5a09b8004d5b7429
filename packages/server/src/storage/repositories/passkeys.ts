import type { TimestampMs, UserId } from '@enlets/protocol';
import type { PasskeyRow } from '../schema.js';
import type { Db } from './users.js';

/** Whether a credential lives on one device only, or may be synced between a person's devices. */
export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

/** A WebAuthn credential of a user (docs/decisions/0019-passkeys.md). */
export interface PasskeyRecord {
  readonly id: string;
  readonly userId: UserId;
  /** The authenticator's credential id, base64url. */
  readonly credentialId: string;
  /** COSE public key. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly counter: number;
  readonly transports: readonly string[];
  readonly name: string;
  readonly aaguid: string;
  readonly deviceType: PasskeyDeviceType;
  readonly backedUp: boolean;
  readonly createdAt: TimestampMs;
  readonly lastUsedAt: TimestampMs | null;
  readonly cloneSuspectedAt: TimestampMs | null;
}

function parseTransports(json: string): readonly string[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : [];
}

function rowToPasskey(row: PasskeyRow): PasskeyRecord {
  return {
    id: row.id,
    userId: row.user_id as UserId,
    credentialId: row.credential_id,
    publicKey: new Uint8Array(row.public_key),
    counter: row.counter,
    transports: parseTransports(row.transports),
    name: row.name,
    aaguid: row.aaguid,
    deviceType: row.device_type as PasskeyDeviceType,
    backedUp: row.backed_up === 1,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    cloneSuspectedAt: row.clone_suspected_at,
  };
}

export type NewPasskey = Omit<PasskeyRecord, 'lastUsedAt' | 'cloneSuspectedAt'>;

/** Stores a new credential; false when the credential id is registered already (to anyone). */
export async function insertPasskey(db: Db, passkey: NewPasskey): Promise<boolean> {
  const result = await db
    .insertInto('passkeys')
    .values({
      id: passkey.id,
      user_id: passkey.userId,
      credential_id: passkey.credentialId,
      public_key: passkey.publicKey,
      counter: passkey.counter,
      transports: JSON.stringify(passkey.transports),
      name: passkey.name,
      aaguid: passkey.aaguid,
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp ? 1 : 0,
      created_at: passkey.createdAt,
      last_used_at: null,
      clone_suspected_at: null,
    })
    .onConflict((oc) => oc.column('credential_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function findPasskeyByCredentialId(
  db: Db,
  credentialId: string,
): Promise<PasskeyRecord | undefined> {
  const row = await db
    .selectFrom('passkeys')
    .selectAll()
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
  return row && rowToPasskey(row);
}

/** A user's credentials, oldest first. */
export async function listPasskeysOfUser(db: Db, userId: UserId): Promise<readonly PasskeyRecord[]> {
  const rows = await db
    .selectFrom('passkeys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(rowToPasskey);
}

export async function countPasskeysOfUser(db: Db, userId: UserId): Promise<number> {
  const row = await db
    .selectFrom('passkeys')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes one credential of one user, and returns it: the user id is part of the condition, so nobody can
 * delete another's credential by its id. Undefined when there is no such credential of this user.
 */
export async function deletePasskeyOfUser(
  db: Db,
  userId: UserId,
  id: string,
): Promise<PasskeyRecord | undefined> {
  const row = await db
    .selectFrom('passkeys')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const result = await db
    .deleteFrom('passkeys')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1 ? rowToPasskey(row) : undefined;
}

/**
 * Records a successful sign-in with a credential: the new signature counter and the time, only while the stored
 * counter is still the one the check was made against, or both are zero (authenticators that keep no counter).
 * False when another sign-in moved the counter in between: the caller treats that as a counter going back.
 */
export async function recordPasskeyUse(
  db: Db,
  id: string,
  expectedCounter: number,
  newCounter: number,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('passkeys')
    .set({ counter: newCounter, last_used_at: now })
    .where('id', '=', id)
    .where('counter', '=', expectedCounter)
    .where('clone_suspected_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a credential as probably cloned; it is refused from then on. */
export async function flagPasskeyCloneSuspected(db: Db, id: string, now: TimestampMs): Promise<void> {
  await db
    .updateTable('passkeys')
    .set({ clone_suspected_at: now })
    .where('id', '=', id)
    .where('clone_suspected_at', 'is', null)
    .execute();
}

export type ChallengePurpose = 'registration' | 'sign_in';

export interface NewChallenge {
  readonly challengeHash: string;
  readonly purpose: ChallengePurpose;
  /** The signed-in user a registration challenge belongs to; null for sign-in. */
  readonly userId: UserId | null;
  readonly now: TimestampMs;
  readonly expiresAt: TimestampMs;
}

/** Stores a challenge, and drops the expired ones of everyone (they can never be used, so they are clutter). */
export async function insertChallenge(db: Db, challenge: NewChallenge): Promise<void> {
  await db.deleteFrom('passkey_challenges').where('expires_at', '<=', challenge.now).execute();
  await db
    .insertInto('passkey_challenges')
    .values({
      challenge_hash: challenge.challengeHash,
      purpose: challenge.purpose,
      user_id: challenge.userId,
      created_at: challenge.now,
      expires_at: challenge.expiresAt,
    })
    .execute();
}

/**
 * Uses up a live challenge of this purpose (and this user, for registration) in one statement: of two
 * verifications with the same challenge, on any number of server processes, exactly one gets true.
 */
export async function consumeChallenge(
  db: Db,
  challengeHash: string,
  purpose: ChallengePurpose,
  userId: UserId | null,
  now: TimestampMs,
): Promise<boolean> {
  let query = db
    .deleteFrom('passkey_challenges')
    .where('challenge_hash', '=', challengeHash)
    .where('purpose', '=', purpose)
    .where('expires_at', '>', now);
  query = userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
