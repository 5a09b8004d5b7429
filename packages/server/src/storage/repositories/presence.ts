import type { Availability, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

export interface PresenceRecord {
  readonly userId: UserId;
  /** What the member chose; `offline` means "appear offline". */
  readonly availability: Availability;
  readonly statusText: string | null;
}

export async function findPresence(db: Db, userId: string): Promise<PresenceRecord | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'availability', 'status_text'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return (
    row && {
      userId: row.id as UserId,
      availability: row.availability as Availability,
      statusText: row.status_text,
    }
  );
}

export async function updatePresence(
  db: Db,
  userId: string,
  availability: Availability,
  statusText: string | null,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ availability, status_text: statusText })
    .where('id', '=', userId)
    .execute();
}

/**
 * The people who see a member's presence: everyone they share a 1:1 or group conversation with. Channels and
 * broadcasts do not count: a network-wide channel would make everyone a contact of everyone.
 */
export async function listPresenceContacts(db: Db, userId: string): Promise<readonly UserId[]> {
  const rows = await db
    .selectFrom('conversation_members as me')
    .innerJoin('conversations as c', 'c.id', 'me.conversation_id')
    .innerJoin('conversation_members as other', 'other.conversation_id', 'me.conversation_id')
    .select('other.user_id')
    .distinct()
    .where('me.user_id', '=', userId)
    .where('other.user_id', '!=', userId)
    .where('c.kind', 'in', ['direct', 'group'])
    .execute();
  return rows.map((r) => r.user_id as UserId);
}

/** A contact's chosen presence (whether they are online is the gateways' to say). */
export async function listContactPresence(db: Db, userId: string): Promise<readonly PresenceRecord[]> {
  const contacts = db
    .selectFrom('conversation_members as me')
    .innerJoin('conversations as c', 'c.id', 'me.conversation_id')
    .innerJoin('conversation_members as other', 'other.conversation_id', 'me.conversation_id')
    .select('other.user_id')
    .where('me.user_id', '=', userId)
    .where('other.user_id', '!=', userId)
    .where('c.kind', 'in', ['direct', 'group']);
  const rows = await db
    .selectFrom('users')
    .select(['id', 'availability', 'status_text'])
    .where('id', 'in', contacts)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    userId: row.id as UserId,
    availability: row.availability as Availability,
    statusText: row.status_text,
  }));
}
