import { Type, type Static } from 'typebox';
import { AVAILABILITIES, MAX_STATUS_TEXT, type Availability } from '../availability.js';
import { TimestampMs, UserId } from '../ids.js';
import { StrictObject } from '../http/common.js';
import {
  ConversationEvent,
  ConversationIdSchema,
  SendEventAck,
  SendEventRequest,
  Seq,
} from '../http/messaging.js';

/**
 * The realtime protocol over WebSocket at `/api/v1/ws`. Frames are JSON text, discriminated on `type`.
 * A connection authenticates (cookie on the upgrade, or an `auth` frame first), then optionally resumes with a
 * `sync` frame, then receives live events. Every client frame that expects an answer carries a `requestId`
 * (1..64 chars) echoed in the answer. See docs/protocol.md for the close codes.
 */
export const REALTIME_PATH = '/api/v1/ws';
/** Largest frame a client may send, in bytes: far below ws' 100 MiB default. */
export const MAX_CLIENT_FRAME_BYTES = 96 * 1024;

/** Close codes (4000-4999 are the application's). */
export const CLOSE_CODES = {
  /** No valid `auth` frame within the handshake time, or the session is unknown/ended. */
  UNAUTHENTICATED: 4401,
  /** The session was ended elsewhere (logout, password change, suspension, removal). */
  SESSION_REVOKED: 4403,
  /** The connection's outgoing queue overflowed: the client reads too slowly. Reconnect and sync. */
  BACKPRESSURE: 4408,
  /** The client kept sending faster than its rate limit after being warned. */
  RATE_LIMITED: 4429,
  /** The client sent something that is not a valid frame too often. */
  PROTOCOL_ERROR: 4400,
  /** The server is shutting down: reconnect (to another process) and sync. */
  GOING_AWAY: 1001,
} as const;

const RequestId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

const AvailabilitySchema = Type.Unsafe<Availability>(Type.Enum([...AVAILABILITIES]));

// ---- client → server -------------------------------------------------------------------------------------

export const AuthFrame = StrictObject({
  type: Type.Literal('auth'),
  token: Type.String({ minLength: 20, maxLength: 128 }),
});
export const SendFrame = StrictObject({
  type: Type.Literal('send'),
  requestId: RequestId,
  conversationId: ConversationIdSchema,
  event: SendEventRequest,
});
export const SyncFrame = StrictObject({
  type: Type.Literal('sync'),
  requestId: RequestId,
  token: Type.Optional(Type.String({ maxLength: 200_000, pattern: '^[A-Za-z0-9_-]*$' })),
});
export const ReadFrame = StrictObject({
  type: Type.Literal('read'),
  conversationId: ConversationIdSchema,
  seq: Seq,
});
export const TypingFrame = StrictObject({
  type: Type.Literal('typing'),
  conversationId: ConversationIdSchema,
});
export const PresenceFrame = StrictObject({
  type: Type.Literal('presence'),
  availability: AvailabilitySchema,
  text: Type.Optional(Type.String({ maxLength: MAX_STATUS_TEXT })),
});
export const PingFrame = StrictObject({ type: Type.Literal('ping'), requestId: Type.Optional(RequestId) });
/** At most this many conversations per `delivered` frame. */
export const MAX_DELIVERED_POSITIONS = 100;
/**
 * "This device has stored these conversations' events up to `seq`": the delivered state per device. No answer;
 * the server coalesces these and moves the device's positions forward only.
 */
export const DeliveredFrame = StrictObject({
  type: Type.Literal('delivered'),
  positions: Type.Array(StrictObject({ conversationId: ConversationIdSchema, seq: Seq }), {
    minItems: 1,
    maxItems: MAX_DELIVERED_POSITIONS,
  }),
});

export type ClientFrame = Static<typeof ClientFrame>;
export const ClientFrame = Type.Union([
  AuthFrame,
  SendFrame,
  SyncFrame,
  ReadFrame,
  TypingFrame,
  PresenceFrame,
  PingFrame,
  DeliveredFrame,
]);

// ---- server → client -------------------------------------------------------------------------------------

export const ReadyFrame = StrictObject({
  type: Type.Literal('ready'),
  userId: UserId.Schema,
  sessionId: Type.String(),
  serverTime: TimestampMs.Schema,
  protocolVersion: Type.Integer(),
});
export const AckFrame = StrictObject({ type: Type.Literal('ack'), requestId: RequestId, ack: SendEventAck });
export const EventFrame = StrictObject({ type: Type.Literal('event'), event: ConversationEvent });
export const SyncedFrame = StrictObject({
  type: Type.Literal('synced'),
  requestId: RequestId,
  /** Missed events come as `event` frames before this frame. */
  token: Type.String(),
  hasMore: Type.Boolean(),
  leftConversationIds: Type.Array(ConversationIdSchema),
});
export const ErrorFrame = StrictObject({
  type: Type.Literal('error'),
  requestId: Type.Union([RequestId, Type.Null()]),
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Object({}, { additionalProperties: true })),
});
export const TypingNotice = StrictObject({
  type: Type.Literal('typing'),
  conversationId: ConversationIdSchema,
  userId: UserId.Schema,
  at: TimestampMs.Schema,
});
export const PresenceNotice = StrictObject({
  type: Type.Literal('presence'),
  userId: UserId.Schema,
  availability: AvailabilitySchema,
  text: Type.Union([Type.String(), Type.Null()]),
  at: TimestampMs.Schema,
});
/** A member's read position moved ("seen by"); not sent for members who opted out of read receipts. */
export const ReceiptNotice = StrictObject({
  type: Type.Literal('receipt'),
  conversationId: ConversationIdSchema,
  userId: UserId.Schema,
  seq: Seq,
  at: TimestampMs.Schema,
});
export const PongFrame = StrictObject({
  type: Type.Literal('pong'),
  requestId: Type.Optional(RequestId),
  serverTime: TimestampMs.Schema,
});
/** The current presence of one's contacts, once after `ready` (changes follow as `presence` frames). */
export const PresenceSnapshot = StrictObject({
  type: Type.Literal('presences'),
  users: Type.Array(
    StrictObject({
      userId: UserId.Schema,
      availability: AvailabilitySchema,
      text: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  /** More contacts than the snapshot holds (online ones come first). */
  truncated: Type.Boolean(),
  at: TimestampMs.Schema,
});
/** Member devices that stored a conversation's events up to `seq` (coalesced; 1:1 and group conversations). */
export const DeliveredNotice = StrictObject({
  type: Type.Literal('delivered'),
  conversationId: ConversationIdSchema,
  devices: Type.Array(StrictObject({ userId: UserId.Schema, deviceId: Type.String(), seq: Seq })),
  at: TimestampMs.Schema,
});
/** To a closed channel's managers: someone asks to join. */
export const JoinRequestedNotice = StrictObject({
  type: Type.Literal('join.requested'),
  conversationId: ConversationIdSchema,
  userId: UserId.Schema,
  displayName: Type.String(),
  requestedAt: TimestampMs.Schema,
});
/** To the requester and the channel's managers: a join request was approved or turned down. */
export const JoinDecidedNotice = StrictObject({
  type: Type.Literal('join.decided'),
  conversationId: ConversationIdSchema,
  userId: UserId.Schema,
  approved: Type.Boolean(),
  at: TimestampMs.Schema,
});
/**
 * Live events may have been missed (the cluster bus was away): sync from the stored token, after a random
 * delay below `jitterMs` so that a whole process's devices do not sync at the same instant.
 */
export const ResyncNotice = StrictObject({
  type: Type.Literal('resync'),
  reason: Type.String(),
  jitterMs: Type.Integer({ minimum: 0 }),
});
/**
 * To a user's devices: a Welcome for `deviceId` is waiting (ADR 0011); that device fetches it with
 * GET /e2ee/welcomes. A wake-up only: a device that was offline finds it on its next listing.
 */
export const WelcomeNotice = StrictObject({
  type: Type.Literal('welcome'),
  conversationId: ConversationIdSchema,
  deviceId: Type.String(),
  welcomeId: Type.String(),
  epoch: Type.Integer({ minimum: 1 }),
});

export type ServerFrame = Static<typeof ServerFrame>;
export const ServerFrame = Type.Union([
  ReadyFrame,
  AckFrame,
  EventFrame,
  SyncedFrame,
  ErrorFrame,
  TypingNotice,
  PresenceNotice,
  ReceiptNotice,
  PongFrame,
  PresenceSnapshot,
  DeliveredNotice,
  JoinRequestedNotice,
  JoinDecidedNotice,
  ResyncNotice,
  WelcomeNotice,
]);
