import { sql } from 'kysely';
import type { TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** "Device `deviceId` of `userId` has stored the conversation's events up to `seq`." */
export interface DeliveryReport {
  readonly conversationId: string;
  readonly userId: UserId;
  readonly deviceId: string;
  readonly seq: number;
}

/**
 * Moves a device's delivered position forward, never back, and never past the conversation's newest event. A
 * report for a conversation the user is not a member of changes nothing. Returns the position stored when it
 * moved, undefined when it did not.
 */
export async function advanceDelivery(
  db: Db,
  report: DeliveryReport,
  now: TimestampMs,
): Promise<DeliveryReport | undefined> {
  const row = await db
    .insertInto('delivery_positions')
    .columns(['conversation_id', 'user_id', 'device_id', 'delivered_seq', 'updated_at'])
    .expression(
      db
        .selectFrom('conversation_members as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select([
          'm.conversation_id',
          'm.user_id',
          sql<string>`cast(${report.deviceId} as text)`.as('device_id'),
          sql<number>`case when c.head_seq < cast(${report.seq} as bigint) then c.head_seq else cast(${report.seq} as bigint) end`.as(
            'delivered_seq',
          ),
          sql<number>`cast(${now} as bigint)`.as('updated_at'),
        ])
        .where('m.conversation_id', '=', report.conversationId)
        .where('m.user_id', '=', report.userId)
        .where('c.head_seq', '>', 0),
    )
    .onConflict((oc) =>
      oc
        .columns(['conversation_id', 'user_id', 'device_id'])
        .doUpdateSet((eb) => ({
          delivered_seq: eb.ref('excluded.delivered_seq'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('delivery_positions.delivered_seq', '<', (eb) => eb.ref('excluded.delivered_seq')),
    )
    .returning(['conversation_id', 'user_id', 'device_id', 'delivered_seq'])
    .executeTakeFirst();
  return (
    row && {
      conversationId: row.conversation_id,
      userId: row.user_id as UserId,
      deviceId: row.device_id,
      seq: row.delivered_seq,
    }
  );
}

/**
 * Who is told live when devices of a conversation store new events: its members who share receipts, and only
 * in 1:1 and group conversations (in a channel every delivery would be told to every member, a cost that grows
 * with the square of its size; there the state is asked for).
 */
export async function listDeliveryAudience(db: Db, conversationId: string): Promise<readonly UserId[]> {
  const rows = await db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.conversation_id', '=', conversationId)
    .where('c.kind', 'in', ['direct', 'group'])
    .where('u.read_receipts', '=', 1)
    .execute();
  return rows.map((r) => r.user_id as UserId);
}

export interface DeliveredDevice {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly deliveredSeq: number;
}

/**
 * The live devices (session not ended or expired) of the conversation's current members who share receipts
 * and stored its events up to `seq` or beyond, except those of `exceptUserId`.
 */
export async function listDevicesDeliveredTo(
  db: Db,
  conversationId: string,
  seq: number,
  exceptUserId: string,
  now: TimestampMs,
): Promise<readonly DeliveredDevice[]> {
  const rows = await db
    .selectFrom('delivery_positions as d')
    .innerJoin('conversation_members as m', (join) =>
      join.onRef('m.conversation_id', '=', 'd.conversation_id').onRef('m.user_id', '=', 'd.user_id'),
    )
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .innerJoin('sessions as s', 's.id', 'd.device_id')
    .select(['d.user_id', 'd.device_id', 'd.delivered_seq'])
    .where('d.conversation_id', '=', conversationId)
    .where('d.delivered_seq', '>=', seq)
    .where('d.user_id', '!=', exceptUserId)
    .where('u.read_receipts', '=', 1)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .orderBy('d.user_id')
    .orderBy('d.device_id')
    .execute();
  return rows.map((r) => ({
    userId: r.user_id as UserId,
    deviceId: r.device_id,
    deliveredSeq: r.delivered_seq,
  }));
}
