import WebSocket from 'ws';
import {
  EnletsApiError,
  IdentityUnavailableError,
  MessengerSession,
  SecureMessenger,
  type SecurityWarning,
  type WebSocketConstructor,
} from '@enlets/client';
import { lockDevice } from './device-lock.js';
import { CliError } from './errors.js';
import { FileE2eeStore } from './file-e2ee-store.js';
import { FileStore } from './file-store.js';
import type { StoredSession } from './session-store.js';

/** EX_UNAVAILABLE: the server could not be reached, and nothing was done. */
export const EXIT_UNAVAILABLE = 69;

/** How long a command waits for another one of the same profile to release the keys (`enlets send` in a loop). */
export const LOCK_WAIT_MS = 15_000;

export const SESSION_ENDED = 'the saved session has ended: run `enlets login` again';

/** A saved session that knows which account and which device it is (every login since end-to-end encryption). */
export interface DeviceSession extends StoredSession {
  readonly userId: string;
  readonly sessionId: string;
}

export interface SecureDeviceOptions {
  readonly transport: 'websocket' | 'http';
  /**
   * Gives the recovery passphrase when this device has no identity key but the account has one (a new
   * device): asked only then. Without it, opening fails with IdentityUnavailableError.
   */
  readonly recoveryPassphrase?: () => Promise<string>;
}

/** This profile's end-to-end encrypted device, open for one command. */
export interface SecureDevice {
  readonly session: MessengerSession;
  readonly messenger: SecureMessenger;
  readonly store: FileE2eeStore;
  /** Where the identity key came from: made now (the user's first device), the recovery backup, or here. */
  readonly identity: 'created' | 'restored' | 'kept';
  /** Whether the keys of an earlier login on this profile were dropped (that device no longer exists). */
  readonly replacedEarlierDevice: boolean;
  /**
   * Receives what happened since this profile last synced, through the decryption pipeline, and makes sure
   * the device is in the group of every conversation that had news (so what comes next is readable).
   */
  catchUp(): Promise<void>;
  /** Uploads what waits for the history archive and stops. The keys stay locked until the process exits. */
  finish(): Promise<void>;
}

export function requireDeviceSession(saved: StoredSession | undefined): DeviceSession {
  if (saved === undefined) throw new CliError('not logged in: run `enlets login --server URL --email E`');
  const { userId, sessionId } = saved;
  if (userId === undefined || sessionId === undefined)
    throw new CliError('this session predates end-to-end encryption: run `enlets login` again');
  return { ...saved, userId, sessionId };
}

/**
 * Opens the profile's device for a session: takes the profile's key lock, makes the key store this login's
 * (ADR 0011: a login is a device), and opens `SecureMessenger` on it, creating the user's identity on their
 * first device or restoring it from the recovery backup on a new one. Warnings (refused messages, devices that
 * failed authentication) go to stderr as they happen.
 */
export async function openSecureDevice(
  saved: DeviceSession,
  options: SecureDeviceOptions,
): Promise<SecureDevice> {
  const store = FileE2eeStore.forAccount(saved.server, saved.email);
  await lockDevice(store.dir, LOCK_WAIT_MS);
  const clientStore = FileStore.forAccount(saved.server, saved.email);
  const replacedEarlierDevice = store.claimFor(saved.sessionId);
  // This device starts from the server's heads, with an empty outbox.
  if (replacedEarlierDevice) reportDropped(clientStore.clear());
  const session = new MessengerSession({
    baseUrl: saved.server,
    token: saved.token,
    store: clientStore,
    // ws' class has the WHATWG shape the SDK declares (onopen, onmessage with string data, onclose, send).
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    transport: options.transport,
  });
  const hadIdentity = (await store.getSecret('identity')) !== undefined;
  const open = (passphrase?: string): Promise<SecureMessenger> =>
    SecureMessenger.open({
      session,
      store,
      userId: saved.userId,
      deviceId: saved.sessionId,
      ...(passphrase === undefined ? {} : { recovery: { passphrase } }),
    });
  let messenger: SecureMessenger;
  let identity: SecureDevice['identity'] = hadIdentity ? 'kept' : 'created';
  try {
    messenger = await open();
  } catch (error) {
    if (
      !(error instanceof IdentityUnavailableError) ||
      hadIdentity ||
      options.recoveryPassphrase === undefined
    )
      throw error;
    messenger = await open(await options.recoveryPassphrase());
    identity = 'restored';
  }
  messenger.on('warning', reportWarning);

  return {
    session,
    messenger,
    store,
    identity,
    replacedEarlierDevice,
    async catchUp() {
      const withNews = new Set<string>();
      const stopListening = session.on('event', (event) => withNews.add(event.conversationId));
      try {
        await syncOnce(session, saved.server);
      } finally {
        stopListening();
      }
      // ensureJoined runs in each conversation's queue, after the events just received: when it resolves,
      // they are through the pipeline too.
      for (const conversationId of withNews) await joinIfMember(messenger, conversationId);
    },
    async finish() {
      await messenger.flushArchive();
      messenger.close();
      await session.stop();
    },
  };
}

/**
 * Joins the conversation's group unless the user is no longer a member of it. A group this device refuses to
 * join (a leaf that fails authentication) is reported on stderr and left: one such conversation must not keep
 * the device from the others; its new messages stay unreadable here. Server errors propagate.
 */
export async function joinIfMember(messenger: SecureMessenger, conversationId: string): Promise<void> {
  try {
    await messenger.ensureJoined(conversationId);
  } catch (error) {
    if (error instanceof EnletsApiError) {
      if (error.code === 'NOT_FOUND') return;
      throw error;
    }
    if (error instanceof CliError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`enlets: cannot join the encrypted group of ${conversationId}: ${reason}\n`);
  }
}

/** Starts the session until it has synced everything (it goes live), then stops it. */
async function syncOnce(session: MessengerSession, server: string): Promise<void> {
  const outcome = new Promise<void>((resolve, reject) => {
    const stopListening = session.on('state', (state) => {
      if (state === 'live') resolve();
      else if (state === 'signedOut') reject(new CliError(SESSION_ENDED));
      else if (state === 'backoff')
        reject(new CliError(`cannot reach ${server}: try again later`, EXIT_UNAVAILABLE));
      else return;
      stopListening();
    });
  });
  session.start();
  try {
    await outcome;
  } finally {
    await session.stop();
  }
}

/** Messages an ended device queued and never sent: said, since nothing else will ever send them. */
export function reportDropped(count: number): void {
  if (count > 0)
    process.stderr.write(
      `enlets: ${String(count)} queued message(s) of the ended session were not sent and are dropped\n`,
    );
}

function reportWarning(warning: SecurityWarning): void {
  const where = `${warning.conversationId}${warning.seq === undefined ? '' : ` #${String(warning.seq)}`}`;
  const details = warning.failures.map((f) => ` (${f.message})`).join('');
  process.stderr.write(`enlets: security warning in ${where}: ${warning.reason}${details}\n`);
}
