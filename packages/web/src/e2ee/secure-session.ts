import { Emitter, type ConnectionState, type HistoryQuery, type MessageContent } from '@enlets/client';
import type { EnletsHttpClient, SecurityWarning } from '@enlets/client';
import type { ConversationListResponse, ConversationSummary, SendEventAck } from '@enlets/protocol';
import { cookieHttpClient } from '../session/cookie-session.js';
import { secureWorkerScriptUrl } from './worker-url.js';
import type {
  MethodName,
  OpenOutcome,
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

  constructor(failure: WorkerFailure) {
    super(failure.message);
    this.name = failure.name;
    this.code = failure.code;
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
}

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

  async listConversations(): Promise<readonly ConversationSummary[]> {
    return (await this.http.get<ConversationListResponse>('/conversations')).conversations;
  }

  history(conversationId: string, query: HistoryQuery = {}): Promise<ShownEvent[]> {
    return this.#call('history', { conversationId, query });
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
      case 'resyncRequired':
        this.#events.emit('resyncRequired', undefined);
    }
  }
}
