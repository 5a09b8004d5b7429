import { Type, type Static } from 'typebox';
import { TimestampMs, UserId } from '../ids.js';
import {
  CLIENT_EVENT_KINDS,
  CLIENT_MESSAGE_ID_PATTERN,
  EVENT_KINDS,
  MAX_PAYLOAD_BYTES,
  TLP_LEVELS,
  type ClientEventKind,
  type EventKind,
  type TlpLevel,
} from '../messaging.js';
import { StrictObject } from './common.js';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

export const BlobIdSchema = Type.String({ pattern: UUID, minLength: 36, maxLength: 36 });
export const ConversationIdSchema = Type.String({ pattern: UUID, minLength: 36, maxLength: 36 });
export const TlpSchema = Type.Unsafe<TlpLevel>(Type.Enum([...TLP_LEVELS]));
export const EventKindSchema = Type.Unsafe<EventKind>(Type.Enum([...EVENT_KINDS]));
export const ClientEventKindSchema = Type.Unsafe<ClientEventKind>(Type.Enum([...CLIENT_EVENT_KINDS]));
/** Base64 (standard alphabet) of at most MAX_PAYLOAD_BYTES bytes. */
export const PayloadSchema = Type.String({
  maxLength: Math.ceil(MAX_PAYLOAD_BYTES / 3) * 4,
  pattern: '^[A-Za-z0-9+/]*={0,2}$',
  description: 'Opaque bytes, base64: the server never reads them (end-to-end encrypted once E2EE lands)',
});
export const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/**
 * What a client sends. `clientMessageId` makes retries idempotent: the same id from the same sender in the same
 * conversation is stored once and acknowledged with the stored seq every time.
 */
export type SendEventRequest = Static<typeof SendEventRequest>;
export const SendEventRequest = StrictObject({
  clientMessageId: Type.String({ pattern: CLIENT_MESSAGE_ID_PATTERN }),
  kind: ClientEventKindSchema,
  payload: PayloadSchema,
  /** The message this event refers to: replied to, edited, reacted to, deleted, pinned. */
  refSeq: Type.Optional(Seq),
  /** The first message of the thread this message belongs to. */
  threadRootSeq: Type.Optional(Seq),
  /** Handling marking of this message; defaults to the conversation's, and may not be below it. */
  tlp: Type.Optional(TlpSchema),
  /** Users mentioned, for notifications and mention counts (the mention text stays in the payload). */
  mentions: Type.Optional(Type.Array(UserId.Schema, { maxItems: 50, uniqueItems: true })),
  /** `@channel`: notify every member. Only managers may use it in channels. */
  mentionsAll: Type.Optional(Type.Boolean()),
  /** Ids of uploaded blobs this message carries (their keys and names stay in the payload). */
  attachments: Type.Optional(Type.Array(BlobIdSchema, { maxItems: 20, uniqueItems: true })),
});

/** The acknowledgement, sent only once the event is durably committed. */
export type SendEventAck = Static<typeof SendEventAck>;
export const SendEventAck = StrictObject({
  conversationId: ConversationIdSchema,
  clientMessageId: Type.String(),
  seq: Seq,
  serverTime: TimestampMs.Schema,
  /** True when this was a retry of an event stored earlier. */
  duplicate: Type.Boolean(),
});

/** One event of a conversation's log, as every member's devices receive it. */
export type ConversationEvent = Static<typeof ConversationEvent>;
export const ConversationEvent = StrictObject({
  conversationId: ConversationIdSchema,
  seq: Seq,
  kind: EventKindSchema,
  senderId: Type.Union([UserId.Schema, Type.Null()]),
  senderDeviceId: Type.Union([Type.String(), Type.Null()]),
  clientMessageId: Type.Union([Type.String(), Type.Null()]),
  refSeq: Type.Union([Seq, Type.Null()]),
  threadRootSeq: Type.Union([Seq, Type.Null()]),
  tlp: TlpSchema,
  mentions: Type.Array(UserId.Schema),
  mentionsAll: Type.Boolean(),
  attachments: Type.Array(BlobIdSchema),
  /** Null once the message was deleted or expired (removed from the server too). */
  payload: Type.Union([PayloadSchema, Type.Null()]),
  /** Readable details of a `system` event (membership and settings changes), null otherwise. */
  system: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  createdAt: TimestampMs.Schema,
  expiresAt: Type.Union([TimestampMs.Schema, Type.Null()]),
  deletedAt: Type.Union([TimestampMs.Schema, Type.Null()]),
  /** Set on a deleted message when a manager, not the sender, deleted it. */
  deletedByManager: Type.Boolean(),
});

export type EventRangeQuery = Static<typeof EventRangeQuery>;
export const EventRangeQuery = StrictObject({
  /** Events with seq > afterSeq (default 0). */
  afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Events with seq < beforeSeq, newest first (for scrolling back). */
  beforeSeq: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export type EventRangeResponse = Static<typeof EventRangeResponse>;
export const EventRangeResponse = StrictObject({
  events: Type.Array(ConversationEvent),
  headSeq: Type.Integer({ minimum: 0 }),
  hasMore: Type.Boolean(),
});

/** Resume: "give me everything I missed since this token" across all my conversations. */
export type SyncRequest = Static<typeof SyncRequest>;
export const SyncRequest = StrictObject({
  /** The token of the last sync; absent on a fresh device (then only the current heads come back). */
  token: Type.Optional(Type.String({ maxLength: 200_000, pattern: '^[A-Za-z0-9_-]*$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
});

export type SyncResponse = Static<typeof SyncResponse>;
export const SyncResponse = StrictObject({
  /** Missed events, oldest first within each conversation. */
  events: Type.Array(ConversationEvent),
  /** Conversations the user is no longer a member of (left, removed): drop them locally. */
  leftConversationIds: Type.Array(ConversationIdSchema),
  /** Resume from here next time. */
  token: Type.String(),
  /** More events are waiting: call again with the new token at once. */
  hasMore: Type.Boolean(),
});
