import { Type, type Static } from 'typebox';
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

export const AVAILABILITIES = ['available', 'busy', 'dnd', 'away', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];
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
  text: Type.Optional(Type.String({ maxLength: 140 })),
});
export const PingFrame = StrictObject({ type: Type.Literal('ping'), requestId: Type.Optional(RequestId) });

export type ClientFrame = Static<typeof ClientFrame>;
export const ClientFrame = Type.Union([
  AuthFrame,
  SendFrame,
  SyncFrame,
  ReadFrame,
  TypingFrame,
  PresenceFrame,
  PingFrame,
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
]);
