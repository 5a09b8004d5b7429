import { Emitter, type ConnectionState, type HistoryQuery, type MessageContent } from '@enlets/client';
import type {
  ContactVerification,
  EnletsHttpClient,
  OwnDeviceList,
  RealtimeSignal,
  SecurityWarning,
} from '@enlets/client';
import type { Availability } from '@enlets/protocol';
import type { ConversationListResponse, ConversationSummary, SendEventAck } from '@enlets/protocol';
import { cookieHttpClient } from '../session/cookie-session.js';
import { secureWorkerScriptUrl } from './worker-url.js';
import type {
  MethodName,
  JoinState,
  OpenOutcome,
  SearchRequest,
  SearchResponse,
  SendMeta,
  ShownEvent,
  WorkerFailure,
  WorkerMethods,
  WorkerNotice,
  WorkerRequest,
} from './worker-protocol.js';

/** A refusal from the worker: the server's error code when the server refused, the error's class name else. */
export class SecureSessionError extends Error {
  readonly code: string | undefined;
  /** The server's details of the refusal, e.g. `{ rule: 'red_no_forward' }` for a TLP_VIOLATION. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(failure: WorkerFailure) {
    super(failure.message);
    this.name = failure.name;
    this.code = failure.code;
    this.details = failure.details;
  }
}

export interface SecureSessionEvents {
  /** Every event of every conversation, once and in order per conversation, with its content decoded. */
  event: ShownEvent;
  state: ConnectionState;
  warning: SecurityWarning;
  signedOut: undefined;
  resyncRequired: undefined;
  /** Earlier messages of this conversation were shared with this device: its history should be reloaded. */
  historyShared: string;
  /** This device entered a conversation's group (it may have waited for a manager's device to add it). */
  joinState: { readonly conversationId: string; readonly state: JoinState };
  /** Typing, presence, read receipts and delivered positions, live (never stored). */
  signal: RealtimeSignal;
}

/** A contact's presence as last announced (the gateway sends a snapshot after connecting, then changes). */
export interface Presence {
  readonly availability: Availability;
  readonly text: string | null;
}

const MAX_KEPT_WARNINGS = 50;

/** Called as a transfer moves: bytes of ciphertext done and in all. */
export type ProgressListener = (doneBytes: number, totalBytes: number) => void;

export interface QueuedMessage {
  readonly clientMessageId: string;
  /** Settles when the server stored the message, or refused it for good (a SecureSessionError with its code). */
  readonly acknowledged: Promise<SendEventAck>;
}

interface Waiting {
  readonly resolve: (value: never) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The page's side of the secure worker (ADR 0014): the messenger as the UI uses it. Requests go to the worker,
 * which encrypts, decrypts and keeps the keys; answers and live events come back as plain data. Plain API calls
 * that carry no message content (the conversation list, read markers, sign-out) go straight to the server.
 */
export class SecureSession {
  readonly http: EnletsHttpClient = cookieHttpClient();
  readonly #worker: Worker;
  readonly #events = new Emitter<SecureSessionEvents>();
  readonly #waiting = new Map<number, Waiting>();
  readonly #acks = new Map<
    string,
    { resolve: (ack: SendEventAck) => void; reject: (error: Error) => void }
  >();
  /** Notices about a send that arrived before its `send` answer did. */
  readonly #early = new Map<string, WorkerNotice>();
  readonly #progress = new Map<string, ProgressListener>();
  /** Contacts' presence, kept here because the snapshot comes once per connection, before any chat opens. */
  readonly #presence = new Map<string, Presence>();
  /** The latest security warnings (at most MAX_KEPT_WARNINGS): a chat opened later still shows them. */
  #warnings: readonly SecurityWarning[] = [];
  #nextId = 1;
  #state: ConnectionState = 'idle';
  #stopped = false;

  constructor() {
    this.#worker = new Worker(secureWorkerScriptUrl(), { type: 'module', name: 'enlets-secure' });
    this.#worker.addEventListener('message', (message: MessageEvent<WorkerNotice>) => {
      this.#receive(message.data);
    });
    window.addEventListener('online', this.#networkChanged);
    window.addEventListener('offline', this.#networkChanged);
  }

  readonly #networkChanged = (): void => {
    this.#call('network', { online: navigator.onLine }).catch(() => undefined);
  };

  get state(): ConnectionState {
    return this.#state;
  }

  on<K extends keyof SecureSessionEvents>(
    type: K,
    listener: (payload: SecureSessionEvents[K]) => void,
  ): () => void {
    return this.#events.on(type, listener);
  }

  open(userId: string, passphrase?: string): Promise<OpenOutcome> {
    return this.#call('open', { userId, ...(passphrase === undefined ? {} : { passphrase }) });
  }

  setUpRecovery(passphrase: string): Promise<{ readonly version: number }> {
    return this.#call('setUpRecovery', { passphrase });
  }

  suggestRecoveryCode(): Promise<string> {
    return this.#call('suggestRecoveryCode', {});
  }

  // ---- account: verification, devices, availability (packages/web/src/account) ----

  /** The safety number with a contact, whether it was verified, and any identity change waiting. */
  contactVerification(userId: string): Promise<ContactVerification> {
    return this.#call('contactVerification', { userId });
  }

  /** Marks the contact verified for the safety number the user compared (`digits`, as shown). */
  markVerified(userId: string, digits: string): Promise<ContactVerification> {
    return this.#call('markVerified', { userId, digits });
  }

  /** Trusts a contact's new identity key (its safety number `digits`), unverified until compared again. */
  acceptIdentityChange(userId: string, digits: string): Promise<ContactVerification> {
    return this.#call('acceptIdentityChange', { userId, digits });
  }

  /** The user's devices as their signed device list names them. */
  ownDevices(): Promise<OwnDeviceList> {
    return this.#call('ownDevices', {});
  }

  /** Shows the user as available, busy, … to their contacts; false when not connected (nothing was sent). */
  setPresence(availability: Availability, text: string | null): Promise<boolean> {
    const trimmed = text?.trim() ?? '';
    return this.#call('signal', {
      signal: { type: 'presence', availability, ...(trimmed === '' ? {} : { text: trimmed }) },
    });
  }

  /** The security warnings of this session so far (newest last), for screens opened after they arrived. */
  recentWarnings(): readonly SecurityWarning[] {
    return this.#warnings;
  }

  async listConversations(): Promise<readonly ConversationSummary[]> {
    return (await this.http.get<ConversationListResponse>('/conversations')).conversations;
  }

  history(conversationId: string, query: HistoryQuery = {}): Promise<ShownEvent[]> {
    return this.#call('history', { conversationId, query });
  }

  /**
   * Searches this device's own history (ADR 0020) in the worker, where the index and the text are: hits come
   * back as snippets with the ranges to highlight, newest first.
   */
  search(request: SearchRequest): Promise<SearchResponse> {
    return this.#call('search', request);
  }

  /** Encrypts and queues a message; resolves once it is safely in the outbox. */
  async send(conversationId: string, content: MessageContent, meta: SendMeta = {}): Promise<QueuedMessage> {
    const { clientMessageId } = await this.#call('send', { conversationId, content, meta });
    return this.#queued(clientMessageId);
  }

  #queued(clientMessageId: string): QueuedMessage {
    const acknowledged = new Promise<SendEventAck>((resolve, reject) => {
      this.#acks.set(clientMessageId, { resolve, reject });
    });
    acknowledged.catch(() => undefined);
    const early = this.#early.get(clientMessageId);
    if (early !== undefined) {
      this.#early.delete(clientMessageId);
      this.#receive(early);
    }
    return { clientMessageId, acknowledged };
  }

  /** Deletes, pins or unpins the message at `refSeq` (no content travels: nothing to encrypt). */
  async mark(
    conversationId: string,
    kind: 'delete' | 'pin' | 'unpin',
    refSeq: number,
  ): Promise<QueuedMessage> {
    const { clientMessageId } = await this.#call('mark', { conversationId, kind, refSeq });
    return this.#queued(clientMessageId);
  }

  /**
   * Forwards the message at `seq` into `targetConversationId`, re-encrypted for its members; rejects with a
   * SecureSessionError whose `details.rule` names the TLP rule when the server refuses it.
   */
  forward(conversationId: string, seq: number, targetConversationId: string): Promise<SendEventAck> {
    return this.#call('forward', { conversationId, seq, targetConversationId });
  }

  /** "I am typing" to the conversation's other members, when live (the server throttles repeats). */
  sendTyping(conversationId: string): void {
    this.#call('signal', { signal: { type: 'typing', conversationId } }).catch(() => undefined);
  }

  /** A contact's presence as last announced; undefined when not known (not a contact, or not connected). */
  presenceOf(userId: string): Presence | undefined {
    return this.#presence.get(userId);
  }

  /** Sends files (each encrypted with its own key) and an optional text as one message. */
  async sendFiles(
    conversationId: string,
    files: readonly File[],
    options: {
      readonly text?: string;
      readonly meta?: SendMeta;
      readonly onProgress?: ProgressListener;
    } = {},
  ): Promise<QueuedMessage> {
    const transferId = crypto.randomUUID();
    if (options.onProgress !== undefined) this.#progress.set(transferId, options.onProgress);
    try {
      const { clientMessageId } = await this.#call('sendFiles', {
        conversationId,
        files,
        meta: options.meta ?? {},
        transferId,
        ...(options.text === undefined ? {} : { text: options.text }),
      });
      return this.#queued(clientMessageId);
    } finally {
      this.#progress.delete(transferId);
    }
  }

  /** The decrypted `index`th file of the message at `seq`, whole and verified. */
  async downloadFile(
    conversationId: string,
    seq: number,
    index: number,
    onProgress?: ProgressListener,
  ): Promise<Blob> {
    const transferId = crypto.randomUUID();
    if (onProgress !== undefined) this.#progress.set(transferId, onProgress);
    try {
      return await this.#call('downloadFile', { conversationId, seq, index, transferId });
    } finally {
      this.#progress.delete(transferId);
    }
  }

  /**
   * Shares what this device can read of the conversation's earlier messages with `newcomerUserId`, who was
   * just added (ADR 0016): an explicit, audited step, refused while the conversation's setting is off. Resolves
   * to null when this device has nothing to share.
   */
  /** Whether this device is in the conversation's group, joining it if it may (`JoinState`). */
  joinState(conversationId: string, hasGroup: boolean): Promise<JoinState> {
    return this.#call('joinState', { conversationId, hasGroup });
  }

  shareHistory(
    conversationId: string,
    newcomerUserId: string,
  ): Promise<WorkerMethods['shareHistory']['result']> {
    return this.#call('shareHistory', { conversationId, newcomerUserId });
  }

  /**
   * Closes the session and ends the worker; what waits in the outbox goes out with the next one. After a
   * sign-out, `forgetDevice` deletes this device's own state (the user's keys and history stay).
   */
  async stop(options: { readonly forgetDevice?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    window.removeEventListener('online', this.#networkChanged);
    window.removeEventListener('offline', this.#networkChanged);
    try {
      await this.#call('stop', options);
    } finally {
      this.#worker.terminate();
      for (const waiting of this.#waiting.values()) waiting.reject(new Error('the session was stopped'));
      this.#waiting.clear();
    }
  }

  #call<M extends MethodName>(
    method: M,
    params: WorkerMethods[M]['params'],
  ): Promise<WorkerMethods[M]['result']> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const waiting: Waiting = { resolve, reject };
      this.#waiting.set(id, waiting);
      const request = { id, method, params } as WorkerRequest;
      this.#worker.postMessage(request);
    });
  }

  #notePresence(signal: RealtimeSignal): void {
    if (signal.type === 'presences') {
      for (const { userId, availability, text } of signal.users)
        this.#presence.set(userId, { availability, text });
    } else if (signal.type === 'presence') {
      this.#presence.set(signal.userId, { availability: signal.availability, text: signal.text });
    }
  }

  #receive(notice: WorkerNotice): void {
    switch (notice.kind) {
      case 'result':
      case 'failure': {
        const waiting = this.#waiting.get(notice.id);
        this.#waiting.delete(notice.id);
        if (notice.kind === 'result') waiting?.resolve(notice.value as never);
        else waiting?.reject(new SecureSessionError(notice.error));
        return;
      }
      case 'acknowledged':
      case 'sendFailed': {
        const waiting = this.#acks.get(notice.clientMessageId);
        if (waiting === undefined) {
          this.#early.set(notice.clientMessageId, notice);
          return;
        }
        this.#acks.delete(notice.clientMessageId);
        if (notice.kind === 'acknowledged') waiting.resolve(notice.ack);
        else waiting.reject(new SecureSessionError(notice.error));
        return;
      }
      case 'event':
        this.#events.emit('event', notice.shown);
        return;
      case 'state':
        this.#state = notice.state;
        this.#events.emit('state', notice.state);
        return;
      case 'warning':
        this.#warnings = [...this.#warnings.slice(-(MAX_KEPT_WARNINGS - 1)), notice.warning];
        this.#events.emit('warning', notice.warning);
        return;
      case 'signedOut':
        this.#events.emit('signedOut', undefined);
        return;
      case 'progress':
        this.#progress.get(notice.transferId)?.(notice.doneBytes, notice.totalBytes);
        return;
      case 'historyShared':
        this.#events.emit('historyShared', notice.conversationId);
        return;
      case 'joinState':
        this.#events.emit('joinState', { conversationId: notice.conversationId, state: notice.state });
        return;
      case 'signal':
        this.#notePresence(notice.signal);
        this.#events.emit('signal', notice.signal);
        return;
      case 'resyncRequired':
        this.#events.emit('resyncRequired', undefined);
    }
  }
}
