/**
 * The SDK every client (web, CLI, bots) uses to talk to an ENLETS server. Isomorphic: it uses only `fetch`,
 * an injected `WebSocket` class, timers and `crypto.randomUUID`.
 */
export {
  EnletsHttpClient,
  EnletsApiError,
  type ClientOptions,
  type FetchLike,
  type MeResponse,
} from './api/http.js';
export { bytesToBase64, base64ToBytes } from './base64.js';
export { Emitter } from './emitter.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { classifyFailure, SessionEndedError, type FailureKind } from './errors.js';
export {
  Outbox,
  OutboxStoppedError,
  type FlushResult,
  type OutboxOptions,
  type OutboxSender,
  type OutboxListener,
  type PendingSend,
} from './outbox.js';
export { EventSequencer, type RangeFetcher } from './sequencer.js';
export type { ClientStore, OutboxEntry, StoredEventQuery } from './store/client-store.js';
export { MemoryStore, emptySnapshot, snapshotOps, type StoreSnapshot } from './store/memory-store.js';
export { Connection, type ConnectionOptions, type ConnectionState } from './realtime/connection.js';
export type {
  LinkClosed,
  LinkHandlers,
  OutgoingSignal,
  RealtimeSignal,
  SyncBatch,
  Transport,
  TransportLink,
} from './realtime/transport.js';
export { httpTransport } from './realtime/http-transport.js';
export {
  websocketTransport,
  realtimeUrl,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketTransportOptions,
} from './realtime/websocket-transport.js';
export {
  MessengerSession,
  eventPayload,
  type HistoryQuery,
  type MessengerSessionOptions,
  type OutgoingEvent,
  type SessionEvents,
} from './session.js';
export { SecureMessenger, IdentityUnavailableError } from './e2ee/secure-messenger.js';
export type {
  SecureEvent,
  SecureMessengerEvents,
  SecureMessengerOptions,
  SecurityWarning,
} from './e2ee/secure-messenger.js';
export { MemoryE2eeStore } from './e2ee/e2ee-store.js';
export { DEFAULT_SELF_UPDATE_POLICY, type SelfUpdatePolicy } from './e2ee/self-update.js';
export {
  DEFAULT_BATCH_COMMIT_POLICY,
  WelcomePendingError,
  type BatchCommitPolicy,
} from './e2ee/batch-commits.js';
export type { ContentStatus, E2eeStore, StoredContent } from './e2ee/e2ee-store.js';
export { HttpTrustDirectory } from './e2ee/trust-directory.js';
export {
  acceptContactIdentityChange,
  contactVerification,
  markContactVerified,
  ownDeviceList,
  VerificationError,
  type ContactVerification,
  type ListedDevice,
  type OwnDeviceList,
  type ShownSafetyNumber,
  type VerificationContext,
} from './e2ee/verification.js';
export {
  decodeContent,
  encodeContent,
  ContentFormatError,
  CONTENT_VERSION,
  MAX_THUMBNAIL_BYTES,
  MAX_THUMBNAIL_SIDE,
  THUMBNAIL_MIME_TYPES,
} from './e2ee/content.js';
export type {
  FileReference,
  FileThumbnail,
  HistoryShareContent,
  MessageContent,
  ThumbnailMimeType,
} from './e2ee/content.js';
export {
  decodeHistoryBundle,
  encodeHistoryBundle,
  HistoryBundleFormatError,
  HistorySharingOffError,
  MAX_SHARED_CONTENT_BYTES,
  MAX_SHARED_MESSAGES,
  uploadHistoryBundle,
  type HistoryBundle,
  type HistoryImport,
  type HistoryShareResult,
  type SharedEntry,
} from './e2ee/history-sharing.js';
export type { BinaryFetchLike, BinaryResponse, ByteStreamLike } from './api/http.js';
export {
  downloadAndDecryptAttachment,
  encryptAndUploadAttachment,
  type AttachmentDescriptor,
  type AttachmentTransferOptions,
  type IncomingAttachment,
  type OutgoingAttachment,
} from './e2ee/attachments.js';
export {
  HistoryArchive,
  RecoveryPassphraseTooWeakError,
  RecoveryUnavailableError,
  RECOVERY_LOSS_NOTICE,
} from './e2ee/recovery.js';
// The recovery pieces of @enlets/crypto an app needs, so it does not depend on the crypto package itself.
export { checkRecoveryPassphrase, generateRecoveryCode, WrongPassphraseError } from '@enlets/crypto';
export type { SecretName } from './e2ee/e2ee-store.js';
