import type { Command } from 'commander';
import WebSocket from 'ws';
import type { ConversationEvent, SendEventAck } from '@enlets/protocol';
import {
  backoffDelay,
  EnletsApiError,
  eventPayload,
  MessengerSession,
  type OutboxEntry,
  type WebSocketConstructor,
} from '@enlets/client';
import { CliError, EXIT_USAGE } from '../lib/errors.js';
import { FileStore } from '../lib/file-store.js';
import { loadSession, type StoredSession } from '../lib/session-store.js';
import { formatTable, formatTime } from '../lib/table.js';

/** EX_TEMPFAIL: the server did not acknowledge in time; the message waits in the outbox. */
export const EXIT_QUEUED = 75;

function requireSession(): StoredSession {
  const session = loadSession();
  if (session === undefined) throw new CliError('not logged in: run `enlets login --server URL --email E`');
  return session;
}

function openSession(saved: StoredSession, transport: 'websocket' | 'http' = 'websocket'): MessengerSession {
  return new MessengerSession({
    baseUrl: saved.server,
    token: saved.token,
    store: FileStore.forAccount(saved.server, saved.email),
    // ws' class has the WHATWG shape the SDK declares (onopen, onmessage with string data, onclose, send).
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    transport,
  });
}

/** Turns an ended session into the one message every command gives. */
async function withSession<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof EnletsApiError && error.code === 'UNAUTHENTICATED')
      throw new CliError('the saved session has ended: run `enlets login` again');
    throw error;
  }
}

function parsePositive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new CliError(`${name}: not a positive whole number`, EXIT_USAGE);
  return n;
}

/** One line of `read` and `tail`: seq, time, sender, text (the payload read as UTF-8 until E2EE lands). */
export function formatEvent(event: ConversationEvent): string {
  const sender = event.senderId ?? 'system';
  let text: string;
  if (event.kind === 'system') text = `[system] ${JSON.stringify(event.system ?? {})}`;
  else {
    const bytes = eventPayload(event);
    const body =
      bytes === null
        ? event.deletedByManager
          ? '(deleted by manager)'
          : '(deleted)'
        : Buffer.from(bytes).toString('utf8');
    const prefix =
      event.kind === 'message'
        ? ''
        : `[${event.kind}${event.refSeq === null ? '' : ` #${String(event.refSeq)}`}] `;
    text = `${prefix}${body}`;
  }
  // One event, one line: a newline in a message must not forge another line for scripts reading the output.
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return `${String(event.seq)}  ${formatTime(event.createdAt)}  ${sender}  ${oneLine}`;
}

/**
 * Sends the outbox with backoff until it is empty, a message is refused, or the deadline passes. Refused
 * messages are reported on stderr and dropped from the outbox (there is no later screen to show them on).
 */
async function flushUntil(
  session: MessengerSession,
  deadline: number,
): Promise<{ pending: number; failed: number }> {
  let failed = 0;
  for (let attempt = 1; ; attempt++) {
    const result = await session.flushOutbox();
    failed += result.failed;
    if (result.stoppedBy === 'signedOut')
      throw new CliError('the saved session has ended: run `enlets login` again');
    if (result.stoppedBy === undefined) return { pending: 0, failed };
    const delay = backoffDelay(attempt);
    if (Date.now() + delay > deadline) return { pending: result.pending, failed };
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function reportFailed(entry: OutboxEntry): void {
  process.stderr.write(
    `enlets: message ${entry.clientMessageId} to ${entry.conversationId} refused: ` +
      `${entry.error?.message ?? 'refused'} (${entry.error?.code ?? 'UNKNOWN'})\n`,
  );
}

/** Messaging from the command line, through the same SDK the web client uses (`@enlets/client`). */
export function registerChatCommands(program: Command): void {
  program
    .command('conversations')
    .description('list your conversations, most recent activity first')
    .action(() =>
      withSession(async () => {
        const session = openSession(requireSession());
        const conversations = await session.listConversations();
        if (conversations.length === 0) {
          process.stdout.write('no conversations\n');
          return;
        }
        const rows = conversations.map((c) => [
          c.id,
          c.kind,
          c.tlp,
          String(c.unreadCount),
          c.name ?? (c.otherUserId === null ? '-' : `with ${c.otherUserId}`),
        ]);
        process.stdout.write(`${formatTable(['ID', 'KIND', 'TLP', 'UNREAD', 'NAME'], rows)}\n`);
      }),
    );

  program
    .command('send')
    .description(
      'send a text message; exits 0 once the server acknowledged it, 75 if it is still queued (then: send --flush)',
    )
    .argument('[conversationId]', 'the conversation (see `enlets conversations`)')
    .argument('[text...]', 'the message')
    .option('--flush', 'only send what is queued in the outbox from earlier attempts')
    .option('--timeout <seconds>', 'how long to keep retrying before leaving the message queued', '30')
    .action(
      (conversationId: string | undefined, words: string[], options: { flush?: boolean; timeout: string }) =>
        withSession(async () => {
          const deadline = Date.now() + parsePositive(options.timeout, '--timeout') * 1000;
          const session = openSession(requireSession(), 'http');
          const failures: OutboxEntry[] = [];
          session.on('outboxFailed', (entry) => failures.push(entry));
          const acks = new Map<string, SendEventAck>();
          session.on('ack', ({ ack }) => acks.set(ack.clientMessageId, ack));

          let mine: string | undefined;
          if (options.flush === true) {
            if (conversationId !== undefined) throw new CliError('--flush takes no message', EXIT_USAGE);
          } else {
            const text = words.join(' ');
            if (conversationId === undefined || text === '')
              throw new CliError('usage: enlets send <conversationId> <text>', EXIT_USAGE);
            // The message is stored in the outbox before the first attempt: a crash or a dead server loses nothing.
            const pending = await session.send(conversationId, {
              payload: new Uint8Array(Buffer.from(text, 'utf8')),
            });
            mine = pending.clientMessageId;
          }
          const { pending } = await flushUntil(session, deadline);
          for (const entry of failures) {
            reportFailed(entry);
            await session.discardOutboxEntry(entry.clientMessageId);
          }
          if (mine !== undefined) {
            const ack = acks.get(mine);
            const refused = failures.find((f) => f.clientMessageId === mine);
            if (refused !== undefined)
              throw new CliError(`the message was refused (${refused.error?.code ?? 'UNKNOWN'})`);
            if (ack === undefined)
              throw new CliError(
                'the server did not acknowledge the message; it is kept in the outbox: run `enlets send --flush`',
                EXIT_QUEUED,
              );
            process.stdout.write(
              `sent: seq ${String(ack.seq)} at ${formatTime(ack.serverTime)}${ack.duplicate ? ' (already stored)' : ''}\n`,
            );
          } else {
            process.stdout.write(
              `flushed: ${String(acks.size)} sent, ${String(failures.length)} refused, ${String(pending)} still queued\n`,
            );
          }
          if (pending > 0 && mine === undefined)
            throw new CliError('the server is not reachable; messages stay in the outbox', EXIT_QUEUED);
          if (failures.length > 0) process.exitCode = 1;
        }),
    );

  program
    .command('read')
    .description('print the latest messages of a conversation: seq, time, sender, text')
    .argument('<conversationId>')
    .option('--limit <n>', 'how many events', '20')
    .action((conversationId: string, options: { limit: string }) =>
      withSession(async () => {
        const session = openSession(requireSession());
        const events = await session.history(conversationId, {
          limit: Math.min(500, parsePositive(options.limit, '--limit')),
        });
        for (const event of events) process.stdout.write(`${formatEvent(event)}\n`);
      }),
    );

  program
    .command('tail')
    .description('print new messages of a conversation as they arrive, each once (Ctrl-C stops)')
    .argument('<conversationId>')
    .option('--http', 'poll over HTTP instead of the WebSocket')
    .action((conversationId: string, options: { http?: boolean }) =>
      withSession(async () => {
        const session = openSession(requireSession(), options.http === true ? 'http' : 'websocket');
        let announced = false;
        session.on('event', (event) => {
          if (event.conversationId === conversationId) process.stdout.write(`${formatEvent(event)}\n`);
        });
        session.on('state', (state) => {
          if (state === 'live' && !announced) {
            announced = true;
            process.stderr.write(`tailing ${conversationId} (Ctrl-C to stop)\n`);
          } else if (state === 'backoff') process.stderr.write('enlets: connection lost, reconnecting\n');
        });
        await new Promise<void>((resolve, reject) => {
          session.on('signedOut', () =>
            reject(new CliError('the saved session has ended: run `enlets login` again')),
          );
          const stop = (): void => {
            void session.stop().then(resolve, reject);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          session.start();
        });
      }),
    );
}
