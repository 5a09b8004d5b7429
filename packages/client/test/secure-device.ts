import assert from 'node:assert/strict';
import {
  MemoryE2eeStore,
  MemoryStore,
  MessengerSession,
  SecureMessenger,
  type FetchLike,
  type SecureEvent,
  type SecureMessengerOptions,
  type SecurityWarning,
} from '@enlets/client';
import { joinSavedGroupParts, SecretBytes } from '@enlets/crypto';
import type { SessionListResponse } from '@enlets/protocol';
import { FAST_BACKOFF, text, trackedWebSocket } from './helpers.js';

const realFetch = globalThis.fetch.bind(globalThis) as unknown as FetchLike;

/** One device of the E2EE suites: a live session with end-to-end encryption, recording what it shows. */
export interface SecureTestDevice {
  readonly messenger: SecureMessenger;
  readonly session: MessengerSession;
  readonly e2eeStore: MemoryE2eeStore;
  readonly shown: SecureEvent[];
  readonly warnings: SecurityWarning[];
  readonly deviceId: string;
  /** The texts of the conversation's messages as this device shows them (null when unreadable). */
  texts(conversationId: string): Array<string | null>;
  stop(): Promise<void>;
}

export interface SecureDeviceOptions {
  /** Another device of the same user whose identity key this one received (as recovery gives). */
  readonly identityFrom?: SecureTestDevice;
  readonly recovery?: { readonly passphrase: string };
  /** Runs after `open` and before the session starts (where an app restores history). */
  readonly beforeStart?: (messenger: SecureMessenger) => Promise<void>;
  /** The device's fetch (to watch its requests); the real one by default. */
  readonly fetch?: FetchLike;
  /** The self-update policy and its clock. */
  readonly selfUpdate?: SecureMessengerOptions['selfUpdate'];
  readonly now?: () => number;
  /** A manager's batch commits in large groups (ADR 0021). */
  readonly batchCommits?: SecureMessengerOptions['batchCommits'];
}

/** Opens a device over WebSocket against `baseUrl` for the signed-in session `token` of `userId`. */
export async function openSecureDevice(
  baseUrl: string,
  userId: string,
  token: string,
  options: SecureDeviceOptions = {},
): Promise<SecureTestDevice> {
  const session = new MessengerSession({
    baseUrl,
    token,
    store: new MemoryStore(),
    fetch: options.fetch ?? realFetch,
    WebSocket: trackedWebSocket().WebSocket,
    backoff: FAST_BACKOFF,
  });
  const sessions = await session.http.get<SessionListResponse>('/me/sessions');
  const deviceId = sessions.sessions.find((s) => s.current)?.id;
  assert.ok(deviceId, 'the session lists itself');
  const e2eeStore = new MemoryE2eeStore();
  const identity = await options.identityFrom?.e2eeStore.getSecret('identity');
  if (identity !== undefined) await e2eeStore.putSecret('identity', identity);
  const messenger = await SecureMessenger.open({
    session,
    store: e2eeStore,
    userId,
    deviceId,
    keyPackagePool: 6,
    ...(options.recovery === undefined ? {} : { recovery: options.recovery }),
    ...(options.selfUpdate === undefined ? {} : { selfUpdate: options.selfUpdate }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.batchCommits === undefined ? {} : { batchCommits: options.batchCommits }),
  });
  const shown: SecureEvent[] = [];
  const warnings: SecurityWarning[] = [];
  messenger.on('event', (e) => shown.push(e));
  messenger.on('warning', (w) => warnings.push(w));
  await options.beforeStart?.(messenger);
  session.start();
  return {
    messenger,
    session,
    e2eeStore,
    shown,
    warnings,
    deviceId,
    texts: (conversationId) =>
      shown
        .filter((e) => e.event.conversationId === conversationId && e.event.kind === 'message')
        .map((e) => text(e.content)),
    stop: async () => {
      messenger.close();
      await session.stop();
    },
  };
}

/**
 * The device's saved state of a group as `MlsDevice.restoreGroup` takes it (its store keeps the epoch and
 * ratchet parts apart), for tests that open a copy of the state outside the messenger.
 */
export async function savedGroupOf(
  device: SecureTestDevice,
  conversationId: string,
): Promise<Uint8Array | undefined> {
  const epoch = await device.e2eeStore.getGroup(conversationId);
  if (epoch === undefined) return undefined;
  const ratchets = await device.e2eeStore.getGroupRatchets(conversationId);
  return joinSavedGroupParts(
    new SecretBytes(epoch),
    ratchets === undefined ? undefined : new SecretBytes(ratchets),
  ).exposeBytes();
}
