import type { TimestampMs } from '@enlets/protocol';
import type { Db } from './users.js';

/** The deployment's VAPID key pair, base64url (docs/decisions/0018-web-push.md). */
export interface VapidKeyPair {
  readonly publicKey: string;
  readonly privateKey: string;
}

/** The one row's id: a second key pair would only be needed for a rotation, which would add a row. */
const CURRENT = 'current';

export async function findVapidKeys(db: Db): Promise<VapidKeyPair | undefined> {
  const row = await db
    .selectFrom('push_vapid_keys')
    .select(['public_key', 'private_key'])
    .where('id', '=', CURRENT)
    .executeTakeFirst();
  return row && { publicKey: row.public_key, privateKey: row.private_key };
}

/**
 * Stores `keys` unless a pair exists already (another process made one first) and returns the stored pair:
 * every process of a cluster ends up with the same keys.
 */
export async function insertVapidKeysOnce(
  db: Db,
  keys: VapidKeyPair,
  now: TimestampMs,
): Promise<VapidKeyPair> {
  await db
    .insertInto('push_vapid_keys')
    .values({ id: CURRENT, public_key: keys.publicKey, private_key: keys.privateKey, created_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const stored = await findVapidKeys(db);
  if (stored === undefined) throw new Error('the VAPID key pair was not stored');
  return stored;
}
