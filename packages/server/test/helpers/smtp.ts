import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  readonly subject: string;
  readonly text: string;
}

/**
 * A real SMTP server on 127.0.0.1, in the test process: the product's mail goes through nodemailer and a TCP
 * connection exactly as in production, and tests read what arrived.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  #server: SMTPServer;
  #port = 0;
  #waiters: Array<() => void> = [];
  /** While true the server refuses every mail with a 451 (a mail server that is down for a while). */
  failing = false;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.failing) {
            const error = Object.assign(new Error('temporarily unavailable'), { responseCode: 451 });
            callback(error);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          this.received.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            subject: decodeHeader(/^Subject: (.*(?:\r\n[ \t].*)*)$/im.exec(raw)?.[1] ?? ''),
            text: decodeBody(raw),
          });
          callback();
          for (const wake of this.#waiters.splice(0)) wake();
        });
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${String(this.#port)}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Waits (bounded) for a mail to `to` that matches, and returns it. */
  async waitFor(
    to: string,
    match: (m: ReceivedMail) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((m) => m.to.includes(to.toLowerCase()) && match(m));
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no mail to ${to} within ${String(timeoutMs)} ms; got: ${this.received.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ')}`,
        );
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  mailsTo(to: string): readonly ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(to.toLowerCase()));
  }
}

function decodeHeader(value: string): string {
  return value
    .replace(/\r\n[ \t]/g, ' ')
    .replace(/=\?utf-8\?Q\?([^?]*)\?=/gi, (_m, q: string) => decodeQuotedPrintable(q.replace(/_/g, ' ')))
    .replace(/=\?utf-8\?B\?([^?]*)\?=/gi, (_m, b: string) => Buffer.from(b, 'base64').toString('utf8'))
    .replace(/\?=\s+=\?/g, '');
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => `%${h}`);
  try {
    return decodeURIComponent(bytes);
  } catch {
    return bytes;
  }
}

function decodeBody(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  const body = raw.slice(split + 4);
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) return decodeQuotedPrintable(body);
  if (/Content-Transfer-Encoding: base64/i.test(headers)) return Buffer.from(body, 'base64').toString('utf8');
  return body;
}
