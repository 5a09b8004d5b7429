import type { ConnectionState, HistoryQuery, MessageContent, SecurityWarning } from '@enlets/client';
import type { ClientEventKind, ConversationEvent, SendEventAck, TlpLevel, UserId } from '@enlets/protocol';

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

export interface ShownEvent {
  readonly event: ConversationEvent;
  readonly content: MessageContent | null;
  readonly status: ShownStatus;
  readonly reason?: string;
}

/** The routing metadata a send carries next to its encrypted content (docs/security-model.md). */
export interface SendMeta {
  readonly kind?: ClientEventKind;
  readonly refSeq?: number;
  readonly threadRootSeq?: number;
  readonly tlp?: TlpLevel;
  readonly mentions?: readonly UserId[];
  readonly mentionsAll?: boolean;
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
  | { readonly kind: 'passphraseRequired' };

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
}

export type WorkerNotice =
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'failure'; readonly id: number; readonly error: WorkerFailure }
  | { readonly kind: 'event'; readonly shown: ShownEvent }
  | { readonly kind: 'state'; readonly state: ConnectionState }
  | { readonly kind: 'acknowledged'; readonly clientMessageId: string; readonly ack: SendEventAck }
  | { readonly kind: 'sendFailed'; readonly clientMessageId: string; readonly error: WorkerFailure }
  | { readonly kind: 'warning'; readonly warning: SecurityWarning }
  | { readonly kind: 'signedOut' }
  | { readonly kind: 'resyncRequired' };
