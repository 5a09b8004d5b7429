import {
  decodeContent,
  downloadAndDecryptAttachment,
  encryptAndUploadAttachment,
  type FileReference,
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
  type OutgoingSignal,
  type SecureEvent,
} from '@enlets/client';
import { encodeContent } from '@enlets/client';
import {
  acceptContactIdentityChange,
  contactVerification,
  markContactVerified,
  ownDeviceList,
  type ContactVerification,
  type OwnDeviceList,
  type VerificationContext,
} from '@enlets/client';
import type { ConversationListResponse, SendEventAck, SessionListResponse } from '@enlets/protocol';
import {
  COOKIE_SESSION,
  CookieWebSocket,
  cookieBinaryFetch,
  cookieFetch,
} from '../session/cookie-transport.js';
import { makeThumbnail } from '../attachments/make-thumbnail.js';
import { DeviceSearch } from './search/device-search.js';
import { DeviceSearchIndex } from './search/search-index.js';
import type { SearchStore } from './search/search-store.js';
import type {
  JoinState,
  OpenOutcome,
  SearchRequest,
  SearchResponse,
  SendMeta,
  ShownContent,
  ShownEvent,
  WorkerFailure,
  WorkerNotice,
} from './worker-protocol.js';

/**
 * How long after a device opens its history starts going into the search index: the conversation list and the
 * first chat come first (see `DeviceSearch.catchUpAfter`).
 */
const HISTORY_INDEX_DELAY_MS = 3_000;

/** The browser's persistent stores of one account on this device (IndexedDB in the worker). */
export interface DeviceStores {
  readonly client: ClientStore;
  readonly e2ee: E2eeStore;
  /** Where the device search keeps its sealed index (ADR 0020); without it, search is unavailable. */
  readonly search?: SearchStore;
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
  search?: DeviceSearch | undefined;
}

/**
 * The secure side of the web client, running in the worker (ADR 0014): one realtime session and one
 * `SecureMessenger` for the signed-in device. Everything secret stays here; the page gets decoded content only.
 */
export class DeviceHost {
  readonly #options: DeviceHostOptions;
  readonly #http: EnletsHttpClient;
  #device: OpenDevice | undefined;
  /** Settles once the keys are open: requests that need them wait for it (the page may ask early). */
  readonly #opened: Promise<void>;
  #markOpened: () => void = () => undefined;

  constructor(options: DeviceHostOptions) {
    this.#options = options;
    this.#http = new EnletsHttpClient({ baseUrl: options.origin, fetch: cookieFetch });
    this.#opened = new Promise((resolve) => {
      this.#markOpened = resolve;
    });
  }

  /** Resolves once `open` has opened the keys (immediately after that). */
  whenOpen(): Promise<void> {
    return this.#opened;
  }

  /**
   * Opens this browser's device for the account: its keys (created on the user's first device, restored from
   * the recovery backup with `passphrase` on a new one), then the realtime session. Asks for the passphrase by
   * answering `passphraseRequired` rather than failing, so the page can show the form and call again.
   */
  async open(userId: string, passphrase: string | undefined): Promise<OpenOutcome> {
    const device = this.#device ?? (await this.#prepare(userId));
    if (device === undefined) return { kind: 'inUseElsewhere' };
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
    // Without its index the messenger still works: search is an addition, never a reason not to open.
    device.search = await this.#openSearch(device, messenger).catch(() => undefined);
    this.#markOpened();
    this.#wire(device, messenger);
    device.session.start();
    const identity = device.hadIdentity ? 'kept' : passphrase === undefined ? 'created' : 'restored';
    // A new device joins its groups before the messenger shows: a message sent to a group it has not joined
    // yet would be unreadable here. A returning device has them; it catches up on what changed meanwhile
    // (Welcomes, groups made while it was away) in the background, so the list shows at once.
    const catchingUp = this.#catchUp(device, messenger, identity === 'restored');
    // Then its history goes into the search index: a restored device's archive and shared history included.
    void catchingUp
      .catch(() => undefined)
      .then(() => this.#indexHistory(device))
      .catch(() => undefined);
    if (identity === 'kept') catchingUp.catch(() => undefined);
    else await catchingUp;
    return this.#ready(device, identity);
  }

  async setUpRecovery(passphrase: string): Promise<{ readonly version: number }> {
    return this.#messenger().setUpRecovery(passphrase);
  }

  suggestRecoveryCode(): string {
    return generateRecoveryCode();
  }

  // ---- account: verification and devices (packages/web/src/account) ----

  /** The safety number with a contact and what this device trusts about them (refreshed from the server). */
  contactVerification(userId: string): Promise<ContactVerification> {
    return contactVerification(this.#verification(), userId);
  }

  markVerified(userId: string, digits: string): Promise<ContactVerification> {
    return markContactVerified(this.#verification(), userId, digits);
  }

  acceptIdentityChange(userId: string, digits: string): Promise<ContactVerification> {
    return acceptContactIdentityChange(this.#verification(), userId, digits);
  }

  ownDevices(): Promise<OwnDeviceList> {
    return ownDeviceList(this.#verification());
  }

  /** The open device's trust records (the ones its MLS checks use), its server and its user. */
  #verification(): VerificationContext {
    const device = this.#device;
    if (device?.messenger === undefined) throw new Error('the secure device is not open');
    return { store: device.stores.e2ee, http: device.session.http, userId: device.userId };
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
    const { mentions, attachments, ...rest } = meta;
    const pending = await this.#messenger().send(conversationId, encodeContent(content), {
      ...rest,
      ...(mentions === undefined ? {} : { mentions: [...mentions] }),
      ...(attachments === undefined ? {} : { attachments: [...attachments] }),
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

  /**
   * A delete, pin or unpin: no content, so nothing is encrypted (SecureMessenger reads an empty payload of
   * these kinds as content-less); it waits in the outbox like any send and is acknowledged by a notice.
   */
  async mark(
    conversationId: string,
    kind: 'delete' | 'pin' | 'unpin',
    refSeq: number,
  ): Promise<{ readonly clientMessageId: string }> {
    const device = this.#device;
    if (device?.messenger === undefined) throw new Error('the secure device is not open');
    const pending = await device.session.send(conversationId, { kind, refSeq, payload: new Uint8Array(0) });
    const { clientMessageId } = pending;
    pending.acknowledged.then(
      (ack) => this.#options.notify({ kind: 'acknowledged', clientMessageId, ack }),
      (error: unknown) => {
        if (error instanceof OutboxStoppedError) return;
        this.#options.notify({ kind: 'sendFailed', clientMessageId, error: describeFailure(error) });
      },
    );
    return { clientMessageId };
  }

  /**
   * Forwards the message at `seq`: its content as this device holds it, re-encrypted for the target's group.
   * Files go along as the same references (blob, key, thumbnail): the server links their blobs to the copy
   * only because the source message carries them, so the target's members can download them too.
   */
  async forward(conversationId: string, seq: number, targetConversationId: string): Promise<SendEventAck> {
    const stored = await this.#device?.stores.e2ee.getContent(conversationId, seq);
    const content = stored?.content == null ? undefined : decodeContent(stored.content);
    if (content?.type === 'files')
      return this.#messenger().forward(conversationId, seq, targetConversationId, encodeContent(content), {
        attachments: content.files.map((file) => file.blobId),
      });
    const text = content?.type === 'text' ? content.text : undefined;
    if (text === undefined || text === '') throw new Error('this device holds no text to forward');
    return this.#messenger().forward(
      conversationId,
      seq,
      targetConversationId,
      encodeContent({ type: 'text', text }),
    );
  }

  /** Searches this device's history: the index and the text stay here, the page gets snippets. */
  async search(request: SearchRequest): Promise<SearchResponse> {
    const search = this.#device?.search;
    if (search === undefined) throw new Error('search is not available on this device');
    return search.search(request);
  }

  /** Typing and presence go over the live socket only: late, they would be wrong. */
  signal(signal: OutgoingSignal): boolean {
    return this.#device?.session.signal(signal) ?? false;
  }

  /** Messages typed while offline wait in the outbox; they go out when the session starts again. */
  async setOnline(online: boolean): Promise<void> {
    const device = this.#device;
    if (device?.messenger === undefined) return;
    if (online) device.session.start();
    else await device.session.stop();
  }

  /** Stops the session; `forgetDevice` after a sign-out, when this device no longer exists on the server. */
  /** Uploads each file encrypted under its own key, then sends one message with their references. */
  async sendFiles(
    conversationId: string,
    files: readonly File[],
    text: string | undefined,
    meta: SendMeta,
    transferId: string,
  ): Promise<{ readonly clientMessageId: string }> {
    const totals = files.map(() => 0);
    const done = files.map(() => 0);
    const report = (): void => {
      const totalBytes = totals.reduce((a, b) => a + b, 0);
      this.#options.notify({
        kind: 'progress',
        transferId,
        doneBytes: done.reduce((a, b) => a + b, 0),
        totalBytes,
      });
    };
    // One at a time: each upload already keeps a few chunks on the wire, and memory stays a few chunks.
    const references: FileReference[] = [];
    for (const [index, file] of files.entries()) {
      // Made here, before anything goes out: it travels inside the encrypted message, never as an upload.
      const thumbnail = await makeThumbnail(file);
      const uploaded = await encryptAndUploadAttachment(
        this.#http,
        {
          conversationId,
          name: file.name,
          mimeType: file.type === '' ? 'application/octet-stream' : file.type,
          size: file.size,
          data: file.stream(),
        },
        {
          onProgress: (doneBytes, totalBytes) => {
            done[index] = doneBytes;
            totals[index] = totalBytes;
            report();
          },
        },
      );
      references.push(thumbnail === undefined ? uploaded : { ...uploaded, thumbnail });
    }
    return this.send(
      conversationId,
      { type: 'files', files: references, ...(text === undefined || text === '' ? {} : { text }) },
      { ...meta, attachments: references.map((r) => r.blobId) },
    );
  }

  /**
   * The decrypted file, whole: the stream is read to its end, which is where the last chunk proves the file
   * complete and untampered; a refused file rejects and nothing of it reaches the page.
   */
  async downloadFile(conversationId: string, seq: number, index: number, transferId: string): Promise<Blob> {
    const stored = await this.#device?.stores.e2ee.getContent(conversationId, seq);
    const content = stored?.content == null ? undefined : decodeContent(stored.content);
    const reference = content?.type === 'files' ? content.files[index] : undefined;
    if (reference === undefined) throw new Error('this device holds no such file');
    const stream = await downloadAndDecryptAttachment(this.#http, reference, {
      onProgress: (doneBytes, totalBytes) =>
        this.#options.notify({ kind: 'progress', transferId, doneBytes, totalBytes }),
    });
    const reader = stream.getReader();
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(Uint8Array.from(value));
    }
    return new Blob(parts, { type: reference.mimeType });
  }

  /**
   * Whether this device is in the conversation's group, joining it now if it may: a conversation added while
   * this device was online is joined when it is opened, as `#catchUp` joins the others at start.
   */
  async joinState(conversationId: string, hasGroup: boolean): Promise<JoinState> {
    const device = this.#device;
    if (!hasGroup || device === undefined) return 'member'; // no group yet: the first sender creates it
    if ((await device.stores.e2ee.getGroup(conversationId)) !== undefined) return 'member';
    return this.#messenger().ensureJoined(conversationId);
  }

  /** History for newcomers (ADR 0016): what this device can read, shared with someone just added. */
  async shareHistory(
    conversationId: string,
    newcomerUserId: string,
  ): Promise<NonNullable<Awaited<ReturnType<SecureMessenger['shareHistory']>>> | null> {
    return (await this.#messenger().shareHistory(conversationId, newcomerUserId)) ?? null;
  }

  async stop(forgetDevice: boolean): Promise<void> {
    const device = this.#device;
    this.#device = undefined;
    if (device === undefined) return;
    try {
      await device.messenger?.flushArchive();
    } finally {
      await device.search?.close();
      device.messenger?.close();
      await device.session.stop();
      if (forgetDevice) await device.stores.forgetDevice();
    }
  }

  async #prepare(userId: string): Promise<OpenDevice | undefined> {
    if (!(await holdAccountLock(userId))) return undefined;
    const deviceId = await this.#currentDeviceId();
    const stores = await this.#options.openStores(userId, deviceId);
    const session = new MessengerSession({
      baseUrl: this.#options.origin,
      token: COOKIE_SESSION,
      fetch: cookieFetch,
      // History bundles go up and down through the session's client (ADR 0016): on the cookie, too.
      binaryFetch: cookieBinaryFetch,
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
    messenger.on('event', (event) => {
      const shown = toShown(event);
      notify({ kind: 'event', shown });
      device.search?.noteEvent(shown);
    });
    messenger.on('warning', (warning) => notify({ kind: 'warning', warning }));
    messenger.on('joined', ({ conversationId }) =>
      notify({ kind: 'joinState', conversationId, state: 'member' }),
    );
    messenger.on('historyShared', ({ conversationId }) => {
      notify({ kind: 'historyShared', conversationId });
      device.search?.reindex(conversationId);
    });
    device.session.on('state', (state) => notify({ kind: 'state', state }));
    device.session.on('signedOut', () => notify({ kind: 'signedOut' }));
    device.session.on('resyncRequired', () => notify({ kind: 'resyncRequired' }));
    device.session.on('signal', (signal) => notify({ kind: 'signal', signal }));
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
    for (const { id, mlsEpoch } of conversations) {
      try {
        // The list says which conversations have a group: no request for the ones without (most of a long list).
        if (mlsEpoch !== null && (await device.stores.e2ee.getGroup(id)) === undefined)
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

  /** The device search over this device's store, reading history through the messenger (content decoded). */
  async #openSearch(device: OpenDevice, messenger: SecureMessenger): Promise<DeviceSearch | undefined> {
    if (device.stores.search === undefined) return undefined;
    const index = await DeviceSearchIndex.open(device.stores.search);
    return new DeviceSearch(index, async (conversationId, beforeSeq, limit) =>
      (await messenger.history(conversationId, { beforeSeq, limit })).map(toShown),
    );
  }

  /** Walks into the index what each conversation gained since the last walk (all of it, the first time). */
  #indexHistory(device: OpenDevice): void {
    device.search?.catchUpAfter(HISTORY_INDEX_DELAY_MS, async () => {
      const { conversations } = await device.session.http.get<ConversationListResponse>('/conversations');
      return conversations.map(({ id, headSeq }) => ({ id, headSeq }));
    });
  }

  #messenger(): SecureMessenger {
    const messenger = this.#device?.messenger;
    if (messenger === undefined) throw new Error('the secure device is not open');
    return messenger;
  }
}

/**
 * Takes the account's lock for as long as this worker lives (closing the tab releases it): two tabs driving the
 * same MLS states and outbox would fork them. False when another tab holds it.
 */
async function holdAccountLock(userId: string): Promise<boolean> {
  const { locks } = globalThis.navigator as Partial<Pick<Navigator, 'locks'>>;
  if (locks === undefined) return true;
  return new Promise((resolve) => {
    void locks.request(`enlets-device-${userId}`, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      // Held until the worker ends.
      return lock === null ? undefined : new Promise<void>(() => undefined);
    });
  });
}

/** The event as the page shows it: content decoded here, without keys, so the page never handles secrets. */
export function toShown(secure: SecureEvent): ShownEvent {
  const { event, status } = secure;
  const extra = {
    ...(secure.reason === undefined ? {} : { reason: secure.reason }),
    ...(secure.sharedBy === undefined ? {} : { sharedBy: secure.sharedBy }),
  };
  if (secure.content === null) return { event, content: null, status, ...extra };
  try {
    return { event, content: withoutSecrets(decodeContent(secure.content)), status, ...extra };
  } catch {
    return { event, content: null, status: 'unreadable', reason: 'not a message this client can show' };
  }
}

function withoutSecrets(content: MessageContent): ShownContent {
  switch (content.type) {
    case 'files':
      return {
        type: 'files',
        ...(content.text === undefined ? {} : { text: content.text }),
        files: content.files.map(({ name, mimeType, size, thumbnail }) => ({
          name,
          mimeType,
          size,
          ...(thumbnail === undefined ? {} : { thumbnail }),
        })),
      };
    case 'history-share':
      return { type: 'history-share', recipientId: content.recipientId };
    case 'text':
    case 'edit':
    case 'reaction':
    case 'poll':
    case 'location':
      return content;
  }
}

export function describeFailure(error: unknown): WorkerFailure {
  if (error instanceof EnletsApiError)
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
