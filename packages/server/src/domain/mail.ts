import type { MailId } from '@enlets/protocol';
import { newId } from '../lib/secrets.js';
import { insertMail } from '../storage/repositories/mail-queue.js';
import type { Services, Trx } from './services.js';

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** What the mail is about, for the admin view (never its content): 'invitation', 'password_reset', … */
  readonly kind: string;
}

/**
 * Queues a mail in the caller's transaction (the durable outbox) and wakes the worker after commit. A down
 * mail server therefore never loses a mail, and a rolled-back action never sends one.
 */
export async function queueMail(
  services: Services,
  trx: Trx,
  afterCommit: (hook: () => void) => void,
  mail: OutgoingMail,
): Promise<MailId> {
  const id = newId<MailId>();
  await insertMail(trx, {
    id,
    to: mail.to,
    subject: mail.subject,
    bodyText: mail.text,
    kind: mail.kind,
    now: services.clock.now(),
  });
  afterCommit(services.wakeMailer);
  return id;
}

/** A link into the web client, on the configured public origin. */
export function publicLink(services: Pick<Services, 'config'>, path: string, token: string): string {
  return `${services.config.publicUrl}${path}#token=${token}`;
}
