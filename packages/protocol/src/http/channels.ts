import { Type, type Static } from 'typebox';
import { TimestampMs, UserId } from '../ids.js';
import {
  CLIENT_MESSAGE_ID_PATTERN,
  JOIN_MODES,
  MEMBER_ROLES,
  type JoinMode,
  type MemberRole,
} from '../messaging.js';
import { StrictObject, Text } from './common.js';
import { BlobIdSchema, ConversationIdSchema, PayloadSchema, Seq, TlpSchema } from './messaging.js';

/**
 * Channels (network-wide, per country, per TIG, ad hoc), broadcasts, forwarding, pins and bookmarks. Channels
 * and broadcasts are conversations: their messages go through the events routes of `messaging.ts`.
 */

/** Who a channel is for; who may create one depends on it (network: Secretariat, country: its NCP, …). */
export const CHANNEL_SCOPE_KINDS = ['network', 'country', 'tig', 'adhoc'] as const;
export type ChannelScopeKind = (typeof CHANNEL_SCOPE_KINDS)[number];
export const ChannelScopeKindSchema = Type.Unsafe<ChannelScopeKind>(Type.Enum([...CHANNEL_SCOPE_KINDS]));
export const JoinModeSchema = Type.Unsafe<JoinMode>(Type.Enum([...JOIN_MODES]));
export const MemberRoleSchema = Type.Unsafe<MemberRole>(Type.Enum([...MEMBER_ROLES]));
/** The roles a manager may hand out (ownership is not transferable here). */
export const ASSIGNABLE_MEMBER_ROLES = ['manager', 'moderator', 'member'] as const;
export type AssignableMemberRole = (typeof ASSIGNABLE_MEMBER_ROLES)[number];
export const AssignableMemberRoleSchema = Type.Unsafe<AssignableMemberRole>(
  Type.Enum([...ASSIGNABLE_MEMBER_ROLES]),
);

/** A channel password: checked against an Argon2id hash, never stored or echoed. */
export const ChannelPassword = Type.String({ minLength: 8, maxLength: 256 });
/** Messages expire this long after they were sent (null: never). From one minute to one year. */
export const MessageTtlMs = Type.Union([
  Type.Integer({ minimum: 60_000, maximum: 31_536_000_000 }),
  Type.Null(),
]);

export type CreateChannelRequest = Static<typeof CreateChannelRequest>;
export const CreateChannelRequest = StrictObject({
  name: Text(1, 100),
  description: Type.Optional(Text(0, 2000)),
  tlp: TlpSchema,
  joinMode: JoinModeSchema,
  /** Required when joinMode is `password`. */
  password: Type.Optional(ChannelPassword),
  /** Visible in the channel directory; a hidden channel is reached by invitation only. */
  listed: Type.Boolean(),
  /** Only managers post. */
  readOnly: Type.Boolean(),
  /** Members may leave; managers always may. */
  leaveAllowed: Type.Boolean(),
  scopeKind: ChannelScopeKindSchema,
  /** Country code for `country`, TIG id for `tig`; absent for `network` and `adhoc`. */
  scopeId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  /** Newcomers see the messages sent before they joined. */
  historyVisible: Type.Optional(Type.Boolean()),
});

/** A channel as its members see it. */
export type ChannelDetails = Static<typeof ChannelDetails>;
export const ChannelDetails = StrictObject({
  id: ConversationIdSchema,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  tlp: TlpSchema,
  joinMode: JoinModeSchema,
  listed: Type.Boolean(),
  readOnly: Type.Boolean(),
  leaveAllowed: Type.Boolean(),
  historyVisible: Type.Boolean(),
  messageTtlMs: Type.Union([Type.Integer(), Type.Null()]),
  scopeKind: ChannelScopeKindSchema,
  scopeId: Type.Union([Type.String(), Type.Null()]),
  memberCount: Type.Integer({ minimum: 0 }),
  /** The caller's role in the channel. */
  role: MemberRoleSchema,
});

/** One entry of the channel directory. */
export type ChannelSummary = Static<typeof ChannelSummary>;
export const ChannelSummary = StrictObject({
  id: ConversationIdSchema,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  tlp: TlpSchema,
  joinMode: JoinModeSchema,
  memberCount: Type.Integer({ minimum: 0 }),
  scopeKind: ChannelScopeKindSchema,
  scopeId: Type.Union([Type.String(), Type.Null()]),
  joined: Type.Boolean(),
});

export type ChannelDirectoryQuery = Static<typeof ChannelDirectoryQuery>;
export const ChannelDirectoryQuery = StrictObject({
  /** Part of the name, any case. */
  q: Type.Optional(Text(1, 100)),
  scopeKind: Type.Optional(ChannelScopeKindSchema),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  /** `nextCursor` of the previous page. */
  cursor: Type.Optional(Type.String({ maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' })),
});

export type ChannelDirectoryResponse = Static<typeof ChannelDirectoryResponse>;
export const ChannelDirectoryResponse = StrictObject({
  channels: Type.Array(ChannelSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export type JoinChannelRequest = Static<typeof JoinChannelRequest>;
export const JoinChannelRequest = StrictObject({ password: Type.Optional(Type.String({ maxLength: 256 })) });

/** 200 `{joined: true}` for open and password channels; 202 `{requested: true}` for closed ones. */
export type JoinChannelResponse = Static<typeof JoinChannelResponse>;
export const JoinChannelResponse = StrictObject({ joined: Type.Boolean(), requested: Type.Boolean() });

export type ChannelJoinRequest = Static<typeof ChannelJoinRequest>;
export const ChannelJoinRequest = StrictObject({
  userId: UserId.Schema,
  displayName: Type.String(),
  requestedAt: TimestampMs.Schema,
});

export type ChannelJoinRequestsResponse = Static<typeof ChannelJoinRequestsResponse>;
export const ChannelJoinRequestsResponse = StrictObject({ requests: Type.Array(ChannelJoinRequest) });

export type InviteChannelMembersRequest = Static<typeof InviteChannelMembersRequest>;
export const InviteChannelMembersRequest = StrictObject({
  userIds: Type.Array(UserId.Schema, { minItems: 1, maxItems: 200, uniqueItems: true }),
});

export type MembersAddedResponse = Static<typeof MembersAddedResponse>;
export const MembersAddedResponse = StrictObject({
  /** Those who were not members yet. */
  added: Type.Array(UserId.Schema),
});

export type SetMemberRoleRequest = Static<typeof SetMemberRoleRequest>;
export const SetMemberRoleRequest = StrictObject({ role: AssignableMemberRoleSchema });

export type ChannelMember = Static<typeof ChannelMember>;
export const ChannelMember = StrictObject({
  userId: UserId.Schema,
  displayName: Type.String(),
  role: MemberRoleSchema,
  joinedAt: TimestampMs.Schema,
});

export type ChannelMembersResponse = Static<typeof ChannelMembersResponse>;
export const ChannelMembersResponse = StrictObject({ members: Type.Array(ChannelMember) });

export type UpdateChannelRequest = Static<typeof UpdateChannelRequest>;
export const UpdateChannelRequest = StrictObject({
  name: Type.Optional(Text(1, 100)),
  description: Type.Optional(Type.Union([Text(0, 2000), Type.Null()])),
  /** Can be raised, not lowered. */
  tlp: Type.Optional(TlpSchema),
  joinMode: Type.Optional(JoinModeSchema),
  /** A new password (required when switching to `password` mode). */
  password: Type.Optional(ChannelPassword),
  listed: Type.Optional(Type.Boolean()),
  readOnly: Type.Optional(Type.Boolean()),
  leaveAllowed: Type.Optional(Type.Boolean()),
  historyVisible: Type.Optional(Type.Boolean()),
  messageTtlMs: Type.Optional(MessageTtlMs),
});

/** A broadcast: one sender (the owner) to a list of recipients, who can only react or reply privately. */
export type CreateBroadcastRequest = Static<typeof CreateBroadcastRequest>;
export const CreateBroadcastRequest = StrictObject({
  name: Text(1, 100),
  recipientIds: Type.Array(UserId.Schema, { minItems: 1, maxItems: 500, uniqueItems: true }),
  /** Defaults to GREEN. */
  tlp: Type.Optional(TlpSchema),
});

export type ConversationCreated = Static<typeof ConversationCreated>;
export const ConversationCreated = StrictObject({ conversationId: ConversationIdSchema });

/**
 * Forward a message: the client decrypted it and re-encrypted it for the target (provenance travels inside the
 * payload). The server checks the TLP rules on the source message's marking.
 */
export type ForwardRequest = Static<typeof ForwardRequest>;
export const ForwardRequest = StrictObject({
  targetConversationId: ConversationIdSchema,
  clientMessageId: Type.String({ pattern: CLIENT_MESSAGE_ID_PATTERN }),
  payload: PayloadSchema,
  /** At least the source message's marking (and the target's); a lower value is raised. */
  tlp: Type.Optional(TlpSchema),
  /**
   * Blobs of the source message that the copy carries again (its files, referenced inside the payload): each
   * must be one the source message carries; the target's members may then download it.
   */
  attachments: Type.Optional(Type.Array(BlobIdSchema, { maxItems: 20, uniqueItems: true })),
});

export type Pin = Static<typeof Pin>;
export const Pin = StrictObject({
  /** The pinned message. */
  seq: Seq,
  pinnedBy: Type.Union([UserId.Schema, Type.Null()]),
  pinnedAt: TimestampMs.Schema,
});

export type PinsResponse = Static<typeof PinsResponse>;
export const PinsResponse = StrictObject({ pins: Type.Array(Pin) });

export type Bookmark = Static<typeof Bookmark>;
export const Bookmark = StrictObject({
  conversationId: ConversationIdSchema,
  seq: Seq,
  createdAt: TimestampMs.Schema,
});

export type BookmarksResponse = Static<typeof BookmarksResponse>;
export const BookmarksResponse = StrictObject({ bookmarks: Type.Array(Bookmark) });
