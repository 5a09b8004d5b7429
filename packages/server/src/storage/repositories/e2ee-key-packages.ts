import type { SessionId, TimestampMs, UserId } from '@enlets/protocol';
import type { DialectName } from '../dialects/index.js';
import type { Db } from './users.js';

export interface NewKeyPackage {
  /** KeyPackageRef (RFC 9420 §5.2), base64url. */
  readonly ref: string;
  readonly userId: UserId;
  readonly deviceId: SessionId;
  readonly bytes: Uint8Array;
  readonly lastResort: boolean;
  readonly expiresAt: TimestampMs;
}

export interface ClaimedKeyPackageRecord {
  readonly ref: string;
  readonly deviceId: SessionId;
  readonly bytes: Uint8Array;
  readonly lastResort: boolean;
}

/** Stores one-time packages; a package uploaded again (a retried upload) is stored once. */
export async function insertOneTimeKeyPackages(
  db: Db,
  packages: readonly NewKeyPackage[],
  now: TimestampMs,
): Promise<void> {
  if (packages.length === 0) return;
  await db
    .insertInto('e2ee_key_packages')
    .values(packages.map((p) => values(p, now)))
    .onConflict((oc) => oc.column('ref').doNothing())
    .execute();
}

/** Replaces the device's last-resort package. */
export async function replaceLastResortKeyPackage(db: Db, p: NewKeyPackage, now: TimestampMs): Promise<void> {
  await db
    .deleteFrom('e2ee_key_packages')
    .where((eb) =>
      eb.or([eb('ref', '=', p.ref), eb.and([eb('device_id', '=', p.deviceId), eb('last_resort', '=', 1)])]),
    )
    .execute();
  await db.insertInto('e2ee_key_packages').values(values(p, now)).execute();
}

function values(p: NewKeyPackage, now: TimestampMs) {
  return {
    ref: p.ref,
    user_id: p.userId,
    device_id: p.deviceId,
    bytes: p.bytes,
    last_resort: p.lastResort ? 1 : 0,
    created_at: now,
    expires_at: p.expiresAt,
    claimed_at: null,
  };
}

/** Drops a device's packages that can never be handed out again: claimed or expired ones. */
export async function pruneKeyPackages(db: Db, deviceId: string, now: TimestampMs): Promise<void> {
  await db
    .deleteFrom('e2ee_key_packages')
    .where('device_id', '=', deviceId)
    .where((eb) => eb.or([eb('claimed_at', 'is not', null), eb('expires_at', '<=', now)]))
    .execute();
}

export async function countKeyPackages(
  db: Db,
  deviceId: string,
  now: TimestampMs,
): Promise<{ readonly oneTime: number; readonly lastResort: boolean }> {
  const rows = await db
    .selectFrom('e2ee_key_packages')
    .select(['last_resort', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('device_id', '=', deviceId)
    .where('claimed_at', 'is', null)
    .where('expires_at', '>', now)
    .groupBy('last_resort')
    .execute();
  const count = (lastResort: number): number =>
    Number(rows.find((r) => r.last_resort === lastResort)?.n ?? 0);
  return { oneTime: count(0), lastResort: count(1) > 0 };
}

/**
 * Hands out one package of a device: an unclaimed one-time package, marked claimed in the same statement, or
 * else its last-resort package, which stays. On PostgreSQL concurrent claimers skip each other's locked rows
 * (`FOR UPDATE SKIP LOCKED`), so none waits and no package goes out twice; SQLite runs one writer at a time.
 */
export async function claimKeyPackage(
  db: Db,
  dialect: DialectName,
  deviceId: string,
  now: TimestampMs,
): Promise<ClaimedKeyPackageRecord | undefined> {
  const oneTime = await db
    .updateTable('e2ee_key_packages')
    .set({ claimed_at: now })
    .where('ref', '=', (eb) => {
      const next = eb
        .selectFrom('e2ee_key_packages')
        .select('ref')
        .where('device_id', '=', deviceId)
        .where('last_resort', '=', 0)
        .where('claimed_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at')
        .orderBy('ref')
        .limit(1);
      return dialect === 'postgres' ? next.forUpdate().skipLocked() : next;
    })
    .where('claimed_at', 'is', null)
    .returning(['ref', 'device_id', 'bytes'])
    .executeTakeFirst();
  if (oneTime !== undefined) return record(oneTime, false);
  const lastResort = await db
    .selectFrom('e2ee_key_packages')
    .select(['ref', 'device_id', 'bytes'])
    .where('device_id', '=', deviceId)
    .where('last_resort', '=', 1)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return lastResort && record(lastResort, true);
}

function record(
  row: { ref: string; device_id: string; bytes: Uint8Array },
  lastResort: boolean,
): ClaimedKeyPackageRecord {
  return { ref: row.ref, deviceId: row.device_id as SessionId, bytes: new Uint8Array(row.bytes), lastResort };
}
