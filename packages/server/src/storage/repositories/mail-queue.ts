import type { MailId, TimestampMs } from '@enlets/protocol';
import type { MailQueueRow } from '../schema.js';
import type { Db } from './users.js';

export type MailStatus = 'queued' | 'sent' | 'failed';

export interface MailRecord {
  readonly id: MailId;
  readonly to: string;
  readonly subject: string;
  readonly bodyText: string | null;
  readonly kind: string;
  readonly status: MailStatus;
  readonly attempts: number;
  readonly nextAttemptAt: TimestampMs;
  readonly lastError: string | null;
  readonly createdAt: TimestampMs;
  readonly sentAt: TimestampMs | null;
}

function rowToMail(row: MailQueueRow): MailRecord {
  return {
    id: row.id as MailId,
    to: row.to_address,
    subject: row.subject,
    bodyText: row.body_text,
    kind: row.kind,
    status: row.status as MailStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export interface NewMail {
  readonly id: MailId;
  readonly to: string;
  readonly subject: string;
  readonly bodyText: string;
  readonly kind: string;
  readonly now: TimestampMs;
}

export async function insertMail(db: Db, mail: NewMail): Promise<void> {
  await db
    .insertInto('mail_queue')
    .values({
      id: mail.id,
      to_address: mail.to,
      subject: mail.subject,
      body_text: mail.bodyText,
      kind: mail.kind,
      status: 'queued',
      attempts: 0,
      next_attempt_at: mail.now,
      claimed_until: 0,
      last_error: null,
      created_at: mail.now,
      sent_at: null,
    })
    .execute();
}

/** Mails due for a (re)try and not claimed by another worker, oldest first. */
export async function listDueMail(db: Db, now: TimestampMs, limit: number): Promise<readonly MailRecord[]> {
  const rows = await db
    .selectFrom('mail_queue')
    .selectAll()
    .where('status', '=', 'queued')
    .where('next_attempt_at', '<=', now)
    .where('claimed_until', '<=', now)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map(rowToMail);
}

/**
 * Claims one mail for `leaseMs` so that two server processes never send it twice at once. Returns false when
 * another worker claimed it first.
 */
export async function claimMail(db: Db, id: MailId, now: TimestampMs, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable('mail_queue')
    .set({ claimed_until: now + leaseMs })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .where('claimed_until', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markMailSent(db: Db, id: MailId, now: TimestampMs): Promise<void> {
  await db
    .updateTable('mail_queue')
    .set({ status: 'sent', sent_at: now, body_text: null, claimed_until: 0, last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function markMailAttemptFailed(
  db: Db,
  id: MailId,
  attempts: number,
  nextAttemptAt: TimestampMs,
  error: string,
  giveUp: boolean,
): Promise<void> {
  await db
    .updateTable('mail_queue')
    .set({
      status: giveUp ? 'failed' : 'queued',
      attempts,
      next_attempt_at: nextAttemptAt,
      claimed_until: 0,
      last_error: error.slice(0, 500),
    })
    .where('id', '=', id)
    .execute();
}

/** Puts a failed mail back in the queue with a fresh retry budget (an admin's "retry"). */
export async function requeueMail(db: Db, id: MailId, now: TimestampMs): Promise<boolean> {
  const result = await db
    .updateTable('mail_queue')
    .set({ status: 'queued', attempts: 0, next_attempt_at: now, claimed_until: 0 })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listMail(
  db: Db,
  status: MailStatus | undefined,
  limit: number,
): Promise<readonly MailRecord[]> {
  let query = db.selectFrom('mail_queue').selectAll().orderBy('created_at', 'desc').limit(limit);
  if (status !== undefined) query = query.where('status', '=', status);
  return (await query.execute()).map(rowToMail);
}
