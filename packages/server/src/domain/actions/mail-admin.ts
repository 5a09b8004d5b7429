import type { MailId, UserId } from '@enlets/protocol';
import { requeueMail } from '../../storage/repositories/mail-queue.js';
import { appendAudit } from '../audit.js';
import { notFound } from '../errors.js';
import { inTransaction, type Services } from '../services.js';

/**
 * Puts a mail that exhausted its attempts back in the queue, for the next worker pass (an admin's "retry").
 * Only failed mail can be retried: a queued one is retried anyway and a sent one must not go twice, so both
 * answer NOT_FOUND like an unknown id. `actorId` is null when the CLI does it on the server machine.
 */
export async function retryMail(services: Services, actorId: UserId | null, mailId: string): Promise<MailId> {
  const id = mailId as MailId;
  await inTransaction(services, async (trx, afterCommit) => {
    if (!(await requeueMail(trx, id, services.clock.now()))) throw notFound('failed mail');
    await appendAudit(services, trx, { actorId, action: 'mail.retried', targetType: 'mail', targetId: id });
    afterCommit(services.wakeMailer);
  });
  return id;
}
