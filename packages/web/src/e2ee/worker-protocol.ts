import type {
  ConnectionState,
  ContactVerification,
  FileThumbnail,
  HistoryQuery,
  MessageContent,
  OwnDeviceList,
  OutgoingSignal,
  RealtimeSignal,
  SecurityWarning,
} from '@enlets/client';
import type { ClientEventKind, ConversationEvent, SendEventAck, TlpLevel, UserId } from '@enlets/protocol';

/** Whether this device is in a conversation's MLS group, or waits for a manager's device to add it. */
export type JoinState = 'member' | 'awaiting-welcome';

/**
 * The messages between the page and the secure worker (ADR 0014). The worker owns everything secret (identity
 * and MLS keys, group states, decrypted content) and the realtime session; the page only ever receives what it
 * shows: events with their content decoded, connection states, acknowledgements and security warnings.
 */

/**
 * How an event is shown. `decrypted`/`own`/`shared`: content is set. `unavailable`: sent before this device
 * could read it. `refused`: it failed a check (forged sender, tampered bytes) and is shown as a warning.
 * `unreadable`: decrypted, but not content this client understands.
 */
export type ShownStatus =
  | 'decrypted'
  | 'own'
  | 'shared'
  | 'unavailable'
  | 'refused'
  | 'unreadable'
  | 'system'
  | 'handshake'
  | 'deleted';

/** An attached file as the page sees it: what to show. Its key stays in the worker (`downloadFile` uses it). */
export interface ShownFile {
  readonly name: string;
  readonly mimeType: string;
  readonly size: number;
  /** An image's thumbnail from inside the encrypted message (no secret: it is content, like the text). */
  readonly thumbnail?: FileThumbnail;
}

/** Decoded content without secrets: file keys and history-bundle keys never leave the worker. */
export type ShownContent =
  | Exclude<MessageContent, { readonly type: 'files' } | { readonly type: 'history-share' }>
  | { readonly type: 'files'; readonly text?: string; readonly files: readonly ShownFile[] }
  | { readonly type: 'history-share'; readonly recipientId: string };

export interface ShownEvent {
  readonly event: ConversationEvent;
  readonly content: ShownContent | null;
  readonly status: ShownStatus;
  readonly reason?: string;
  /** For `shared` content: the user whose device shared it with this one (ADR 0016). */
  readonly sharedBy?: string;
}

/** The routing metadata a send carries next to its encrypted content (docs/security-model.md). */
export interface SendMeta {
  readonly kind?: ClientEventKind;
  readonly refSeq?: number;
  readonly threadRootSeq?: number;
  readonly tlp?: TlpLevel;
  readonly mentions?: readonly UserId[];
  readonly mentionsAll?: boolean;
  /** The blobs the message carries (set by `sendFiles`). */
  readonly attachments?: readonly string[];
}

/**
 * `created`: this browser made the user's identity (their first device): a recovery passphrase must be set
 * up. `restored`: it came from the recovery backup. `kept`: this browser had it.
 */
export type OpenOutcome =
  | {
      readonly kind: 'ready';
      readonly identity: 'created' | 'restored' | 'kept';
      readonly recoverySetUp: boolean;
    }
  | { readonly kind: 'passphraseRequired' }
  /** Another tab of this browser has the account open: one device state cannot be driven by two workers. */
  | { readonly kind: 'inUseElsewhere' };

/**
 * A search of this device's own history (ADR 0020): messages holding every word of `query`, the last word as
 * typed so far (a prefix), newest first; only in `conversationId` when given. At most `limit` hits (1–100).
 */
export interface SearchRequest {
  readonly query: string;
  readonly conversationId?: string;
  readonly limit?: number;
}

/** A range of a hit's snippet that matched (UTF-16 offsets, end exclusive): the page splits, never marks up. */
export interface SearchHighlight {
  readonly start: number;
  readonly end: number;
}

/** One message found: where it is, who wrote it when, and the words around the match. */
export interface SearchHit {
  readonly conversationId: string;
  readonly seq: number;
  readonly senderId: string | null;
  readonly createdAt: number;
  readonly snippet: string;
  readonly highlights: readonly SearchHighlight[];
}

export interface SearchResponse {
  readonly hits: readonly SearchHit[];
  /** More messages match than were returned. */
  readonly more: boolean;
  /** History is still being indexed on this device: older messages may be missing from the hits. */
  readonly indexing: boolean;
}

/** What the page can ask of the worker, with what each answer holds. */
export interface WorkerMethods {
  open: { params: { readonly userId: string; readonly passphrase?: string }; result: OpenOutcome };
  setUpRecovery: { params: { readonly passphrase: string }; result: { readonly version: number } };
  suggestRecoveryCode: { params: Record<string, never>; result: string };
  history: {
    params: { readonly conversationId: string; readonly query: HistoryQuery };
    result: ShownEvent[];
  };
  send: {
    params: { readonly conversationId: string; readonly content: MessageContent; readonly meta: SendMeta };
    result: { readonly clientMessageId: string };
  };
  /**
   * Encrypts each file with a key of its own, uploads the ciphertext (progress notices under `transferId`),
   * then sends one message carrying the files and `text`.
   */
  sendFiles: {
    params: {
      readonly conversationId: string;
      readonly files: readonly File[];
      readonly text?: string;
      readonly meta: SendMeta;
      readonly transferId: string;
    };
    result: { readonly clientMessageId: string };
  };
  /** Downloads and decrypts the `index`th file of the message at `seq`; the Blob is whole and verified. */
  downloadFile: {
    params: {
      readonly conversationId: string;
      readonly seq: number;
      readonly index: number;
      readonly transferId: string;
    };
    result: Blob;
  };
  /**
   * Whether this device is in the conversation's MLS group, joining it now if it may (`hasGroup`: the
   * conversation list says a group exists). `awaiting-welcome`: a large group, where a manager's device adds it
   * (ADR 0021); a `joinState` notice follows once it is in.
   */
  joinState: {
    params: { readonly conversationId: string; readonly hasGroup: boolean };
    result: JoinState;
  };
  /**
   * Gives `newcomerUserId`, just added to the conversation, what this device can read of its earlier messages
   * (ADR 0016). Null when this device holds nothing to share; fails (HistorySharingOffError) while the
   * conversation's setting is off.
   */
  shareHistory: {
    params: { readonly conversationId: string; readonly newcomerUserId: string };
    result: {
      readonly shared: number;
      readonly fromSeq: number;
      readonly toSeq: number;
      readonly recordSeq: number;
    } | null;
  };
  /**
   * A delete, pin or unpin of the message at `refSeq`: routing metadata only, no content (nothing to
   * encrypt); queued in the outbox like a send, with the acknowledgement as a notice.
   */
  mark: {
    params: {
      readonly conversationId: string;
      readonly kind: 'delete' | 'pin' | 'unpin';
      readonly refSeq: number;
    };
    result: { readonly clientMessageId: string };
  };
  /**
   * Forwards the message at `seq` into `targetConversationId`, re-encrypted there for the target's group; the
   * server applies the TLP rules (a refusal carries the rule in the failure's `details`).
   */
  forward: {
    params: { readonly conversationId: string; readonly seq: number; readonly targetConversationId: string };
    result: SendEventAck;
  };
  /** A typing or presence signal over the live socket; false when offline (such signals are not queued). */
  signal: { params: { readonly signal: OutgoingSignal }; result: boolean };
  // ---- account: verification and devices (packages/web/src/account) ----
  /** The safety number with a contact, its verified state and any identity change (refreshed first). */
  contactVerification: { params: { readonly userId: string }; result: ContactVerification };
  /** Marks the contact verified for the safety number `digits` the user compared (refused if not current). */
  markVerified: { params: { readonly userId: string; readonly digits: string }; result: ContactVerification };
  /** Trusts the contact's new identity key whose safety number is `digits` (unverified until compared). */
  acceptIdentityChange: {
    params: { readonly userId: string; readonly digits: string };
    result: ContactVerification;
  };
  /** The user's own signed device list, checked against their identity key. */
  ownDevices: { params: Record<string, never>; result: OwnDeviceList };
  /**
   * The browser went offline or online: the realtime session stops at once (rather than waiting for a
   * heartbeat to time out) and reconnects at once when the network is back (rather than after its backoff).
   */
  network: { params: { readonly online: boolean }; result: null };
  /** Searches this device's history (ADR 0020): the index and the text stay in the worker, snippets come out. */
  search: { params: SearchRequest; result: SearchResponse };
  /** `forgetDevice`: the user signed out, so this device ends: its MLS state and outbox are deleted. */
  stop: { params: { readonly forgetDevice?: boolean }; result: null };
}

export type MethodName = keyof WorkerMethods;

export type WorkerRequest = {
  [M in MethodName]: { readonly id: number; readonly method: M; readonly params: WorkerMethods[M]['params'] };
}[MethodName];

/** An error as it crosses to the page: its class name, the server's code when it has one, and a message. */
export interface WorkerFailure {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  /** The server's details of a refusal (e.g. which TLP rule applied). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export type WorkerNotice =
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'failure'; readonly id: number; readonly error: WorkerFailure }
  | { readonly kind: 'event'; readonly shown: ShownEvent }
  | { readonly kind: 'state'; readonly state: ConnectionState }
  | { readonly kind: 'acknowledged'; readonly clientMessageId: string; readonly ack: SendEventAck }
  | { readonly kind: 'sendFailed'; readonly clientMessageId: string; readonly error: WorkerFailure }
  | { readonly kind: 'warning'; readonly warning: SecurityWarning }
  | {
      readonly kind: 'progress';
      readonly transferId: string;
      readonly doneBytes: number;
      readonly totalBytes: number;
    }
  /** Earlier messages were shared with this device (ADR 0016): the conversation's history changed. */
  | { readonly kind: 'historyShared'; readonly conversationId: string }
  | { readonly kind: 'joinState'; readonly conversationId: string; readonly state: JoinState }
  /** Typing, presence, read receipts and delivered positions from the gateway (never stored). */
  | { readonly kind: 'signal'; readonly signal: RealtimeSignal }
  | { readonly kind: 'signedOut' }
  | { readonly kind: 'resyncRequired' };
