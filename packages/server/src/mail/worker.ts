import nodemailer, { type Transporter } from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import type { DB } from '../storage/schema.js';
import {
  claimMail,
  listDueMail,
  markMailAttemptFailed,
  markMailSent,
} from '../storage/repositories/mail-queue.js';

export const MAIL_MAX_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 6 * 60 * 60_000;
const LEASE_MS = 5 * 60_000;
const BATCH = 20;

/** 30 s, 1 min, 2 min, … capped at 6 h: a mail server down for a day still gets its mail afterwards. */
export function backoffMs(attempts: number): number {
  return Math.min(BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

export interface MailWorkerOptions {
  readonly db: Kysely<DB>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly smtpUrl: string;
  readonly from: string;
  readonly pollIntervalMs: number;
}

/**
 * Sends queued mail over SMTP. Each mail is claimed with a lease first, so several server processes can run a
 * worker each without sending a mail twice at the same time; a failed attempt is retried with backoff and,
 * after MAIL_MAX_ATTEMPTS, left as `failed` for an admin to see and retry.
 */
export class MailWorker {
  readonly #opts: MailWorkerOptions;
  readonly #transport: Transporter;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(opts: MailWorkerOptions) {
    this.#opts = opts;
    this.#transport = nodemailer.createTransport(opts.smtpUrl);
  }

  start(): void {
    this.#schedule(0);
  }

  /** Runs a pass now (new mail was queued); a pass already running runs once more afterwards. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    this.#transport.close();
  }

  /** One pass over the due mail; returns how many were sent. Exposed for the CLI and tests. */
  async runOnce(): Promise<number> {
    const { db, clock, log } = this.#opts;
    let sent = 0;
    for (;;) {
      const due = await listDueMail(db, clock.now(), BATCH);
      if (due.length === 0) return sent;
      for (const mail of due) {
        if (this.#stopped) return sent;
        if (!(await claimMail(db, mail.id, clock.now(), LEASE_MS))) continue;
        try {
          await this.#transport.sendMail({
            from: this.#opts.from,
            to: mail.to,
            subject: mail.subject,
            text: mail.bodyText ?? '',
          });
          await markMailSent(db, mail.id, clock.now());
          sent += 1;
        } catch (error) {
          const attempts = mail.attempts + 1;
          const giveUp = attempts >= MAIL_MAX_ATTEMPTS;
          const message = error instanceof Error ? error.message : String(error);
          await markMailAttemptFailed(
            db,
            mail.id,
            attempts,
            clock.now() + backoffMs(attempts),
            message,
            giveUp,
          );
          log.warn({ mailId: mail.id, attempts, giveUp, err: message }, 'mail delivery failed');
        }
      }
      if (due.length < BATCH) return sent;
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.#opts.log.error({ err: error }, 'mail worker pass failed'))
        .finally(() => {
          this.#running = undefined;
          const again = this.#again;
          this.#again = false;
          this.#schedule(again ? 0 : this.#opts.pollIntervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }
}
