import { InvalidArgumentError, Option, type Command } from 'commander';
import { MAIL_STATUSES, type MailStatus } from '@enlets/protocol';
import { CliError } from '../lib/errors.js';
import { withServices } from '../lib/server-context.js';
import { loadServer } from '../lib/server-module.js';
import { formatTable, formatTime } from '../lib/table.js';

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError('a whole number 1-10000');
  return n;
}

export function registerMailCommands(program: Command): void {
  const mail = program.command('mail').description('the outgoing mail queue');
  mail
    .command('queue')
    .description('list outgoing mail (never its content), or retry a failed one')
    .addOption(new Option('--status <status>', 'only mail in this state').choices(MAIL_STATUSES))
    .option('--limit <n>', 'at most this many, newest first', parseLimit, 100)
    .option('--retry <id>', 'put the failed mail with this id back in the queue')
    .action(async (options: { status?: MailStatus; limit: number; retry?: string }) => {
      const { listMailQueue, retryMail } = await loadServer();
      await withServices(async ({ services }) => {
        if (options.retry !== undefined) {
          const id = await retryMail(services, null, options.retry);
          process.stdout.write(`mail ${id} is queued again; the server's mail worker sends it next\n`);
          return;
        }
        const mails = await listMailQueue(services, options.status, options.limit);
        if (services.config.smtpUrl === undefined)
          process.stdout.write('no SMTP server configured (ENLETS_SMTP_URL): mail waits in the queue\n');
        if (mails.length === 0) {
          process.stdout.write('no mail\n');
          return;
        }
        const rows = mails.map((m) => [
          m.id,
          m.status,
          String(m.attempts),
          m.kind,
          m.to,
          formatTime(m.createdAt),
          m.status === 'queued' ? formatTime(m.nextAttemptAt) : formatTime(m.sentAt),
          m.subject,
          m.lastError ?? '',
        ]);
        process.stdout.write(
          `${formatTable(['ID', 'STATUS', 'ATTEMPTS', 'KIND', 'TO', 'CREATED', 'NEXT/SENT', 'SUBJECT', 'LAST ERROR'], rows)}\n`,
        );
      });
    });

  mail
    .command('send-now')
    .description('run one pass of the mail worker over the due mail')
    .action(async () => {
      const { sendQueuedMailNow, SmtpNotConfiguredError } = await loadServer();
      const sent = await withServices(async (handle) => {
        try {
          return await sendQueuedMailNow(handle);
        } catch (error) {
          if (error instanceof SmtpNotConfiguredError) throw new CliError(error.message);
          throw error;
        }
      });
      process.stdout.write(`sent ${String(sent)} mail${sent === 1 ? '' : 's'}\n`);
    });
}
