import type { Command } from 'commander';
import WebSocket from 'ws';
import type { SendEventAck } from '@enlets/protocol';
import {
  backoffDelay,
  decodeContent,
  encodeContent,
  EnletsApiError,
  MessengerSession,
  type OutboxEntry,
  type SecureEvent,
  type SecureMessenger,
  type WebSocketConstructor,
} from '@enlets/client';
import { CliError, EXIT_USAGE } from '../lib/errors.js';
import { eventLine } from '../lib/event-line.js';
import { FileStore } from '../lib/file-store.js';
import {
  EXIT_UNAVAILABLE,
  joinIfMember,
  openSecureDevice,
  requireDeviceSession,
  SESSION_ENDED,
  type SecureDevice,
} from '../lib/secure-device.js';
import { loadSession, type StoredSession } from '../lib/session-store.js';
import { formatTable, formatTime } from '../lib/table.js';

/** EX_TEMPFAIL: the server did not acknowledge in time; the message waits in the outbox. */
export const EXIT_QUEUED = 75;

function requireSession(): StoredSession {
  const session = loadSession();
  if (session === undefined) throw new CliError('not logged in: run `enlets login --server URL --email E`');
  return session;
}

/** A session without end-to-end encryption: for what needs no keys (the list, sending what is queued). */
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
      throw new CliError(SESSION_ENDED);
    throw error;
  }
}

function parsePositive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new CliError(`${name}: not a positive whole number`, EXIT_USAGE);
  return n;
}

/** The text as the content every client reads; refused here if a reader would refuse it (too long). */
function textContent(text: string): Uint8Array {
  const bytes = encodeContent({ type: 'text', text });
  try {
    decodeContent(bytes);
  } catch (error) {
    throw new CliError(`the message cannot be sent: ${(error as Error).message}`, EXIT_USAGE);
  }
  return bytes;
}

/** Until the message is encrypted and queued, a server that cannot be reached means nothing was sent. */
async function beforeQueued<T>(server: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof EnletsApiError && error.code === 'NETWORK')
      throw new CliError(`cannot reach ${server}: nothing was sent`, EXIT_UNAVAILABLE, { cause: error });
    throw error;
  }
}

/** The latest `limit` events of a conversation that have a line (handshakes have none), oldest first. */
async function latestShown(
  messenger: SecureMessenger,
  conversationId: string,
  limit: number,
): Promise<SecureEvent[]> {
  const shown: SecureEvent[] = [];
  let beforeSeq: number | undefined;
  while (shown.length < limit) {
    const page = await messenger.history(conversationId, {
      limit: Math.min(500, limit),
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
    });
    const oldest = page[0];
    if (oldest === undefined) break;
    const visible = page.filter((e) => e.status !== 'handshake');
    shown.unshift(...visible.slice(Math.max(0, visible.length - (limit - shown.length))));
    beforeSeq = oldest.event.seq;
  }
  return shown;
}

/**
 * The latest events as this device can show them. Messages from before it existed are unreadable to it; if
 * there are any, it fetches the user's history archive (what the user's other devices read) once and shows
 * the page again.
 */
async function readableHistory(
  device: SecureDevice,
  conversationId: string,
  limit: number,
): Promise<SecureEvent[]> {
  const shown = await latestShown(device.messenger, conversationId, limit);
  if (!shown.some((e) => e.status === 'unavailable')) return shown;
  const { restored } = await device.messenger.restoreHistory(conversationId);
  return restored === 0 ? shown : latestShown(device.messenger, conversationId, limit);
}

function printLine(shown: SecureEvent): void {
  const line = eventLine(shown);
  if (line !== undefined) process.stdout.write(`${line}\n`);
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
    if (result.stoppedBy === 'signedOut') throw new CliError(SESSION_ENDED);
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

/**
 * Messaging from the command line, through the same SDK the web client uses (`@enlets/client`), end-to-end
 * encrypted (ADR 0011): `send` encrypts before anything is queued, `read` and `tail` decrypt.
 */
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
      'send an end-to-end encrypted text message; exits 0 once the server acknowledged it, 75 if it is ' +
        'still queued (then: send --flush), 69 if the server could not be reached (nothing was sent)',
    )
    .argument('[conversationId]', 'the conversation (see `enlets conversations`)')
    .argument('[text...]', 'the message')
    .option('--flush', 'only send what is queued in the outbox from earlier attempts')
    .option('--timeout <seconds>', 'how long to keep retrying before leaving the message queued', '30')
    .action(
      (conversationId: string | undefined, words: string[], options: { flush?: boolean; timeout: string }) =>
        withSession(async () => {
          const deadline = Date.now() + parsePositive(options.timeout, '--timeout') * 1000;
          if (options.flush === true) {
            if (conversationId !== undefined) throw new CliError('--flush takes no message', EXIT_USAGE);
            // The outbox holds ciphertext already: sending it needs no keys.
            await flushQueued(openSession(requireSession(), 'http'), deadline);
            return;
          }
          const text = words.join(' ');
          if (conversationId === undefined || text === '')
            throw new CliError('usage: enlets send <conversationId> <text>', EXIT_USAGE);
          const content = textContent(text);
          const saved = requireDeviceSession(loadSession());
          const { device, pending } = await beforeQueued(saved.server, async () => {
            const opened = await openSecureDevice(saved, { transport: 'http' });
            // Encrypting with a group state that missed a handshake would make the message unreadable.
            await opened.catchUp();
            // Encrypted and stored in the outbox before the first attempt: a crash or a dead server loses nothing.
            return { device: opened, pending: await opened.messenger.send(conversationId, content) };
          });
          const ack = await sendQueued(device.session, pending.clientMessageId, deadline);
          process.stdout.write(
            `sent: seq ${String(ack.seq)} at ${formatTime(ack.serverTime)}${ack.duplicate ? ' (already stored)' : ''}\n`,
          );
          // The sent message passes through this device's pipeline, which puts it in the user's history
          // archive. Best effort: the next command of this profile does it otherwise.
          await device.catchUp().catch(() => undefined);
          await device.finish();
        }),
    );

  program
    .command('read')
    .description(
      'print the latest messages of a conversation, decrypted: seq, time, sender, text (older messages on a ' +
        'new device come from your history archive)',
    )
    .argument('<conversationId>')
    .option('--limit <n>', 'how many events', '20')
    .action((conversationId: string, options: { limit: string }) =>
      withSession(async () => {
        const limit = parsePositive(options.limit, '--limit');
        const device = await openSecureDevice(requireDeviceSession(loadSession()), { transport: 'http' });
        await device.catchUp();
        // Joining now makes what is sent from now on readable here.
        await joinIfMember(device.messenger, conversationId);
        for (const shown of await readableHistory(device, conversationId, limit)) printLine(shown);
        await device.finish();
      }),
    );

  program
    .command('tail')
    .description('print new messages of a conversation, decrypted, as they arrive, each once (Ctrl-C stops)')
    .argument('<conversationId>')
    .option('--http', 'poll over HTTP instead of the WebSocket')
    .action((conversationId: string, options: { http?: boolean }) =>
      withSession(async () => {
        const device = await openSecureDevice(requireDeviceSession(loadSession()), {
          transport: options.http === true ? 'http' : 'websocket',
        });
        const { session, messenger } = device;
        messenger.on('event', (shown) => {
          if (shown.event.conversationId === conversationId) printLine(shown);
        });
        let joining: Promise<void> | undefined;
        await new Promise<void>((resolve, reject) => {
          session.on('state', (state) => {
            if (state === 'live' && joining === undefined) {
              // After the first sync, so the group is joined at its current epoch, then announced: what is
              // sent after the announcement is readable here.
              joining = joinIfMember(messenger, conversationId).then(
                () => void process.stderr.write(`tailing ${conversationId} (Ctrl-C to stop)\n`),
                reject,
              );
            } else if (state === 'backoff') process.stderr.write('enlets: connection lost, reconnecting\n');
          });
          session.on('signedOut', () => reject(new CliError(SESSION_ENDED)));
          const stop = (): void => {
            void device.finish().then(resolve, reject);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          session.start();
        });
      }),
    );
}

/**
 * Sends the outbox until this message is acknowledged (its seq) or the deadline passes (it stays queued, exit
 * 75). A refusal is reported and the message dropped from the outbox.
 */
async function sendQueued(
  session: MessengerSession,
  clientMessageId: string,
  deadline: number,
): Promise<SendEventAck> {
  const failures: OutboxEntry[] = [];
  session.on('outboxFailed', (entry) => failures.push(entry));
  const acks = new Map<string, SendEventAck>();
  session.on('ack', ({ ack }) => acks.set(ack.clientMessageId, ack));
  await flushUntil(session, deadline);
  for (const entry of failures) {
    reportFailed(entry);
    await session.discardOutboxEntry(entry.clientMessageId);
  }
  const refused = failures.find((f) => f.clientMessageId === clientMessageId);
  if (refused !== undefined)
    throw new CliError(`the message was refused (${refused.error?.code ?? 'UNKNOWN'})`);
  const ack = acks.get(clientMessageId);
  if (ack === undefined)
    throw new CliError(
      'the server did not acknowledge the message; it is kept (encrypted) in the outbox: run `enlets send --flush`',
      EXIT_QUEUED,
    );
  if (failures.length > 0) process.exitCode = 1;
  return ack;
}

/** `send --flush`: sends what earlier attempts left in the outbox, and says how that went. */
async function flushQueued(session: MessengerSession, deadline: number): Promise<void> {
  const failures: OutboxEntry[] = [];
  session.on('outboxFailed', (entry) => failures.push(entry));
  let sent = 0;
  session.on('ack', () => sent++);
  const { pending } = await flushUntil(session, deadline);
  for (const entry of failures) {
    reportFailed(entry);
    await session.discardOutboxEntry(entry.clientMessageId);
  }
  process.stdout.write(
    `flushed: ${String(sent)} sent, ${String(failures.length)} refused, ${String(pending)} still queued\n`,
  );
  if (pending > 0)
    throw new CliError('the server is not reachable; messages stay in the outbox', EXIT_QUEUED);
  if (failures.length > 0) process.exitCode = 1;
}
