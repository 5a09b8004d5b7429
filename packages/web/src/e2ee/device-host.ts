import {
  decodeContent,
  EnletsApiError,
  EnletsHttpClient,
  generateRecoveryCode,
  IdentityUnavailableError,
  MessengerSession,
  OutboxStoppedError,
  SecureMessenger,
  type ClientStore,
  type E2eeStore,
  type HistoryQuery,
  type MessageContent,
  type SecureEvent,
} from '@enlets/client';
import { encodeContent } from '@enlets/client';
import type { ConversationListResponse, SessionListResponse } from '@enlets/protocol';
import { COOKIE_SESSION, CookieWebSocket, cookieFetch } from '../session/cookie-transport.js';
import type { OpenOutcome, SendMeta, ShownEvent, WorkerFailure, WorkerNotice } from './worker-protocol.js';

/** The browser's persistent stores of one account on this device (IndexedDB in the worker). */
export interface DeviceStores {
  readonly client: ClientStore;
  readonly e2ee: E2eeStore;
  /** Deletes this device's own state (MLS keys, groups, outbox); the user's keys and history stay. */
  readonly forgetDevice: () => Promise<void>;
}

export interface DeviceHostOptions {
  /** The server's origin (the worker's own: the web client is served by the server it talks to). */
  readonly origin: string;
  /**
   * Opens the stores of this account for this device (the signed-in session), dropping an earlier device's
   * keys on the same browser profile: a login is a device (ADR 0011).
   */
  readonly openStores: (userId: string, deviceId: string) => Promise<DeviceStores>;
  readonly notify: (notice: WorkerNotice) => void;
}

/** Thrown to the page when the session cookie no longer signs in (it then shows the sign-in screen). */
class SignedOutError extends Error {
  override readonly name = 'SignedOutError';
}

interface OpenDevice {
  readonly userId: string;
  readonly session: MessengerSession;
  readonly stores: DeviceStores;
  readonly hadIdentity: boolean;
  messenger?: SecureMessenger;
}

/**
 * The secure side of the web client, running in the worker (ADR 0014): one realtime session and one
 * `SecureMessenger` for the signed-in device. Everything secret stays here; the page gets decoded content only.
 */
export class DeviceHost {
  readonly #options: DeviceHostOptions;
  readonly #http: EnletsHttpClient;
  #device: OpenDevice | undefined;

  constructor(options: DeviceHostOptions) {
    this.#options = options;
    this.#http = new EnletsHttpClient({ baseUrl: options.origin, fetch: cookieFetch });
  }

  /**
   * Opens this browser's device for the account: its keys (created on the user's first device, restored from
   * the recovery backup with `passphrase` on a new one), then the realtime session. Asks for the passphrase by
   * answering `passphraseRequired` rather than failing, so the page can show the form and call again.
   */
  async open(userId: string, passphrase: string | undefined): Promise<OpenOutcome> {
    const device = this.#device ?? (await this.#prepare(userId));
    if (device.userId !== userId) throw new Error('this worker belongs to another account');
    if (device.messenger !== undefined) return this.#ready(device, device.hadIdentity ? 'kept' : 'created');
    let messenger: SecureMessenger;
    try {
      messenger = await SecureMessenger.open({
        session: device.session,
        store: device.stores.e2ee,
        userId,
        deviceId: await this.#currentDeviceId(),
        ...(passphrase === undefined ? {} : { recovery: { passphrase } }),
      });
    } catch (error) {
      if (error instanceof IdentityUnavailableError && passphrase === undefined)
        return { kind: 'passphraseRequired' };
      throw error;
    }
    device.messenger = messenger;
    this.#wire(device, messenger);
    device.session.start();
    const identity = device.hadIdentity ? 'kept' : passphrase === undefined ? 'created' : 'restored';
    // Before the messenger shows: a message sent to a group this device has not joined yet is unreadable here.
    await this.#catchUp(device, messenger, identity === 'restored');
    return this.#ready(device, identity);
  }

  async setUpRecovery(passphrase: string): Promise<{ readonly version: number }> {
    return this.#messenger().setUpRecovery(passphrase);
  }

  suggestRecoveryCode(): string {
    return generateRecoveryCode();
  }

  async history(conversationId: string, query: HistoryQuery): Promise<ShownEvent[]> {
    const events = await this.#messenger().history(conversationId, query);
    return events.map(toShown);
  }

  /**
   * Encrypts and queues one message; resolves once the ciphertext is in the outbox (it survives a reload).
   * The acknowledgement, or the refusal, follows as a notice.
   */
  async send(
    conversationId: string,
    content: MessageContent,
    meta: SendMeta,
  ): Promise<{ readonly clientMessageId: string }> {
    const { mentions, ...rest } = meta;
    const pending = await this.#messenger().send(conversationId, encodeContent(content), {
      ...rest,
      ...(mentions === undefined ? {} : { mentions: [...mentions] }),
    });
    const { clientMessageId } = pending;
    pending.acknowledged.then(
      (ack) => this.#options.notify({ kind: 'acknowledged', clientMessageId, ack }),
      (error: unknown) => {
        // Stopped: it stays in the outbox and goes out with the next session.
        if (error instanceof OutboxStoppedError) return;
        this.#options.notify({ kind: 'sendFailed', clientMessageId, error: describeFailure(error) });
      },
    );
    return { clientMessageId };
  }

  /** Stops the session; `forgetDevice` after a sign-out, when this device no longer exists on the server. */
  async stop(forgetDevice: boolean): Promise<void> {
    const device = this.#device;
    this.#device = undefined;
    if (device === undefined) return;
    try {
      await device.messenger?.flushArchive();
    } finally {
      device.messenger?.close();
      await device.session.stop();
      if (forgetDevice) await device.stores.forgetDevice();
    }
  }

  async #prepare(userId: string): Promise<OpenDevice> {
    const deviceId = await this.#currentDeviceId();
    const stores = await this.#options.openStores(userId, deviceId);
    const session = new MessengerSession({
      baseUrl: this.#options.origin,
      token: COOKIE_SESSION,
      fetch: cookieFetch,
      WebSocket: CookieWebSocket,
      store: stores.client,
    });
    const hadIdentity = (await stores.e2ee.getSecret('identity')) !== undefined;
    const device: OpenDevice = { userId, session, stores, hadIdentity };
    this.#device = device;
    return device;
  }

  /** This device's id: the id of the session the cookie carries (the server names it `current`). */
  async #currentDeviceId(): Promise<string> {
    const { sessions } = await this.#http.get<SessionListResponse>('/me/sessions');
    const current = sessions.find((s) => s.current);
    if (current === undefined) throw new SignedOutError('the session has ended');
    return current.id;
  }

  async #ready(device: OpenDevice, identity: 'created' | 'restored' | 'kept'): Promise<OpenOutcome> {
    return { kind: 'ready', identity, recoverySetUp: await this.#hasRecoveryBackup(device) };
  }

  async #hasRecoveryBackup(device: OpenDevice): Promise<boolean> {
    try {
      await device.session.http.get('/e2ee/backup');
      return true;
    } catch (error) {
      if (error instanceof EnletsApiError && error.code === 'E2EE_BACKUP_NOT_FOUND') return false;
      throw error;
    }
  }

  #wire(device: OpenDevice, messenger: SecureMessenger): void {
    const { notify } = this.#options;
    messenger.on('event', (event) => notify({ kind: 'event', shown: toShown(event) }));
    messenger.on('warning', (warning) => notify({ kind: 'warning', warning }));
    device.session.on('state', (state) => notify({ kind: 'state', state }));
    device.session.on('signedOut', () => notify({ kind: 'signedOut' }));
    device.session.on('resyncRequired', () => notify({ kind: 'resyncRequired' }));
  }

  /**
   * Puts this device into the group of every conversation that has one and that it is not in yet (a new
   * device, or one added while away), so what is sent from now on is readable here; a restored device also
   * gets its history back from the user's archive. A conversation without a group gets one from its first
   * sender. One conversation that cannot be joined is reported and does not stop the others.
   */
  async #catchUp(device: OpenDevice, messenger: SecureMessenger, restore: boolean): Promise<void> {
    await messenger.acceptWelcomes();
    const { conversations } = await device.session.http.get<ConversationListResponse>('/conversations');
    for (const { id } of conversations) {
      try {
        if ((await device.stores.e2ee.getGroup(id)) === undefined && (await this.#hasGroup(device, id)))
          await messenger.ensureJoined(id);
        if (restore) await messenger.restoreHistory(id);
      } catch (error) {
        this.#options.notify({
          kind: 'warning',
          warning: {
            conversationId: id,
            reason: `This device could not join the conversation's encryption: ${describeFailure(error).message}`,
            failures: [],
          },
        });
      }
    }
  }

  async #hasGroup(device: OpenDevice, conversationId: string): Promise<boolean> {
    try {
      await device.session.http.get(`/conversations/${encodeURIComponent(conversationId)}/mls/group-info`);
      return true;
    } catch (error) {
      if (error instanceof EnletsApiError && error.code === 'MLS_GROUP_NOT_FOUND') return false;
      throw error;
    }
  }

  #messenger(): SecureMessenger {
    const messenger = this.#device?.messenger;
    if (messenger === undefined) throw new Error('the secure device is not open');
    return messenger;
  }
}

/** The event as the page shows it: content decoded here, so the page never handles key material or bytes. */
export function toShown(secure: SecureEvent): ShownEvent {
  const { event, status } = secure;
  const reason = secure.reason === undefined ? {} : { reason: secure.reason };
  if (secure.content === null) return { event, content: null, status, ...reason };
  try {
    return { event, content: decodeContent(secure.content), status, ...reason };
  } catch {
    return { event, content: null, status: 'unreadable', reason: 'not a message this client can show' };
  }
}

export function describeFailure(error: unknown): WorkerFailure {
  if (error instanceof EnletsApiError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
