import type { AuditEntrySummary, MailStatus, MailSummary } from '@enlets/protocol';
import { listRecentAuditEntries } from '../../storage/repositories/audit-log.js';
import { listMail } from '../../storage/repositories/mail-queue.js';
import type { Services } from '../services.js';

export interface AuditPage {
  readonly entries: AuditEntrySummary[];
  readonly nextBeforeSeq: number | null;
}

/** A page of the audit log, newest first, older than `beforeSeq` (the newest entries when absent). */
export async function listAuditPage(
  services: Pick<Services, 'db'>,
  beforeSeq: number | undefined,
  limit: number,
): Promise<AuditPage> {
  const rows = await listRecentAuditEntries(services.db, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit);
  const entries = rows.map((e) => ({
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    details: { ...e.details },
    hash: e.hash,
  }));
  const last = entries.at(-1);
  return {
    entries,
    nextBeforeSeq: entries.length === limit && last !== undefined && last.seq > 1 ? last.seq : null,
  };
}

/** The outgoing mail queue, newest first, without bodies: they can hold one-time links. */
export async function listMailQueue(
  services: Pick<Services, 'db'>,
  status: MailStatus | undefined,
  limit: number,
): Promise<MailSummary[]> {
  const mails = await listMail(services.db, status, limit);
  return mails.map((m) => ({
    id: m.id,
    to: m.to,
    subject: m.subject,
    kind: m.kind,
    status: m.status,
    attempts: m.attempts,
    nextAttemptAt: m.nextAttemptAt,
    lastError: m.lastError,
    createdAt: m.createdAt,
    sentAt: m.sentAt,
  }));
}

/** Whether a mail worker can deliver at all (no SMTP URL: mail waits in the queue). */
export function isSmtpConfigured(services: Pick<Services, 'config'>): boolean {
  return services.config.smtpUrl !== undefined;
}
