import type { UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** Who is online across the cluster (migration 0190): processes with heartbeats, users per process. */

export async function registerServerProcess(db: Db, processId: string, now: number): Promise<void> {
  await db
    .insertInto('server_processes')
    .values({ id: processId, started_at: now, heartbeat_at: now })
    .execute();
}

/** Renews the heartbeat; false when the row is gone (another process swept this one as dead). */
export async function renewServerProcess(db: Db, processId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('server_processes')
    .set({ heartbeat_at: now })
    .where('id', '=', processId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markUserOnline(db: Db, processId: string, userId: string, now: number): Promise<void> {
  await db
    .insertInto('online_users')
    .values({ process_id: processId, user_id: userId, since: now })
    .onConflict((oc) => oc.columns(['process_id', 'user_id']).doNothing())
    .execute();
}

export async function markUserOffline(db: Db, processId: string, userId: string): Promise<void> {
  await db
    .deleteFrom('online_users')
    .where('process_id', '=', processId)
    .where('user_id', '=', userId)
    .execute();
}

/** Of `userIds`, those with a live connection on a process whose heartbeat is at or after `aliveSince`. */
export async function listOnlineUsers(
  db: Db,
  userIds: readonly string[],
  aliveSince: number,
): Promise<ReadonlySet<UserId>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('online_users as o')
    .innerJoin('server_processes as p', 'p.id', 'o.process_id')
    .select('o.user_id')
    .distinct()
    .where('o.user_id', 'in', userIds)
    .where('p.heartbeat_at', '>=', aliveSince)
    .execute();
  return new Set(rows.map((r) => r.user_id as UserId));
}

/**
 * Forgets the processes whose heartbeat stopped before `aliveSince` (and their online rows) and returns the
 * users who were online on them: they may have gone offline with the process.
 */
export async function removeDeadServerProcesses(db: Db, aliveSince: number): Promise<readonly UserId[]> {
  const dead = await db
    .selectFrom('server_processes')
    .select('id')
    .where('heartbeat_at', '<', aliveSince)
    .execute();
  if (dead.length === 0) return [];
  const ids = dead.map((d) => d.id);
  const users = await db
    .selectFrom('online_users')
    .select('user_id')
    .distinct()
    .where('process_id', 'in', ids)
    .execute();
  // Rows first: a process that was only slow finds its own row gone at its next heartbeat and registers anew.
  await db.deleteFrom('online_users').where('process_id', 'in', ids).execute();
  await db.deleteFrom('server_processes').where('id', 'in', ids).execute();
  return users.map((u) => u.user_id as UserId);
}

/** A process stopping cleanly leaves no trace (its clients reconnect to another process). */
export async function removeServerProcess(db: Db, processId: string): Promise<void> {
  await db.deleteFrom('online_users').where('process_id', '=', processId).execute();
  await db.deleteFrom('server_processes').where('id', '=', processId).execute();
}
