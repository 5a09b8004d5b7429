import { Type, type Static } from 'typebox';
import { TimestampMs, UserId } from '../ids.js';
import { CONVERSATION_KINDS, MEMBER_ROLES, type ConversationKind, type MemberRole } from '../messaging.js';
import { StrictObject, Text } from './common.js';
import { HistoryForNewcomersSchema } from './history-sharing.js';
import { ConversationIdSchema, Seq, TlpSchema } from './messaging.js';

/**
 * Conversations (1:1 and group) and everything per member: the conversation list with unread and mention
 * counts, settings, membership, read positions and read receipts ("seen by"). All of it is routing metadata;
 * no content is ever read from a payload.
 */

export const ConversationKindSchema = Type.Unsafe<ConversationKind>(Type.Enum([...CONVERSATION_KINDS]));
const RoleSchema = Type.Unsafe<MemberRole>(Type.Enum([...MEMBER_ROLES]));
/** The roles a manager may hand out (ownership passes only when the owner leaves). */
const AssignableRoleSchema = Type.Unsafe<Exclude<MemberRole, 'owner'>>(
  Type.Enum(['manager', 'moderator', 'member']),
);

export const MAX_GROUP_MEMBERS_PER_REQUEST = 256;
/** Expiring messages: from one minute to one year, or off (null). */
export const MIN_MESSAGE_TTL_MS = 60_000;
export const MAX_MESSAGE_TTL_MS = 31_536_000_000;

export const ConversationName = Text(1, 120, 'Name of a group');
export const ConversationDescription = Text(0, 1000, 'Description of a group');
const MemberIds = Type.Array(UserId.Schema, {
  maxItems: MAX_GROUP_MEMBERS_PER_REQUEST,
  uniqueItems: true,
});

/**
 * `direct` with `userId`: the one 1:1 conversation with that person, found or created (`created` says which).
 * `group` with `name` and `memberIds` (and optionally `description`, `tlp`): a new group whose creator is its
 * owner; the marking (TLP:GREEN when absent) decides who may be a member. Fields of the other kind are refused.
 */
export type CreateConversationRequest = Static<typeof CreateConversationRequest>;
export const CreateConversationRequest = StrictObject({
  kind: Type.Unsafe<'direct' | 'group'>(Type.Enum(['direct', 'group'])),
  userId: Type.Optional(UserId.Schema),
  name: Type.Optional(ConversationName),
  description: Type.Optional(ConversationDescription),
  memberIds: Type.Optional(MemberIds),
  tlp: Type.Optional(TlpSchema),
});

/** One line of the conversation list; the counts are server state, so they agree on every device. */
export type ConversationSummary = Static<typeof ConversationSummary>;
const summaryProperties = {
  id: ConversationIdSchema,
  kind: ConversationKindSchema,
  /** Null for 1:1 conversations: clients show the other person (`otherUserId`). */
  name: Type.Union([Type.String(), Type.Null()]),
  otherUserId: Type.Union([UserId.Schema, Type.Null()]),
  tlp: TlpSchema,
  /** The caller's role here. */
  role: RoleSchema,
  headSeq: Type.Integer({ minimum: 0 }),
  lastReadSeq: Type.Integer({ minimum: 0 }),
  /** Messages after lastReadSeq from others, not deleted or expired. */
  unreadCount: Type.Integer({ minimum: 0 }),
  /** Of those, the ones that mention the caller or everyone. */
  mentionCount: Type.Integer({ minimum: 0 }),
  muted: Type.Boolean(),
  favourite: Type.Boolean(),
  archived: Type.Boolean(),
  markedUnread: Type.Boolean(),
  memberCount: Type.Integer({ minimum: 0 }),
  lastActivityAt: TimestampMs.Schema,
  /**
   * The epoch of the conversation's MLS group, or null while it has none (its first sender creates it). A device
   * that holds no group state for a conversation with an epoch joins it; one without needs no request to know.
   */
  mlsEpoch: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
};
export const ConversationSummary = StrictObject(summaryProperties);

export type ConversationListQuery = Static<typeof ConversationListQuery>;
export const ConversationListQuery = StrictObject({
  /** Only archived (true) or only unarchived (false) conversations; all when absent. */
  archived: Type.Optional(Type.Boolean()),
});

export type ConversationListResponse = Static<typeof ConversationListResponse>;
export const ConversationListResponse = StrictObject({
  /** Most recent activity first. */
  conversations: Type.Array(ConversationSummary),
});

export type ConversationMember = Static<typeof ConversationMember>;
export const ConversationMember = StrictObject({
  userId: UserId.Schema,
  displayName: Type.String(),
  role: RoleSchema,
  joinedAt: TimestampMs.Schema,
  /** Null unless both this member and the caller share read receipts (always shown for the caller). */
  lastReadSeq: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
});

export type ConversationDetail = Static<typeof ConversationDetail>;
export const ConversationDetail = StrictObject({
  ...summaryProperties,
  description: Type.Union([Type.String(), Type.Null()]),
  /** Messages expire this long after they were sent (removed everywhere); null when off. */
  messageTtlMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** Whether members may share earlier messages with newcomers (ADR 0016); set by the owner and managers. */
  historyForNewcomers: HistoryForNewcomersSchema,
  createdAt: TimestampMs.Schema,
  members: Type.Array(ConversationMember),
});

export type CreateConversationResponse = Static<typeof CreateConversationResponse>;
export const CreateConversationResponse = StrictObject({
  /** False when the 1:1 conversation existed already. */
  created: Type.Boolean(),
  conversation: ConversationDetail,
});

/** Settings of a conversation (groups: owner and managers). Every change is a `conversation.updated` event. */
export type UpdateConversationRequest = Static<typeof UpdateConversationRequest>;
export const UpdateConversationRequest = Type.Object(
  {
    name: Type.Optional(ConversationName),
    description: Type.Optional(Type.Union([ConversationDescription, Type.Null()])),
    /** Can be raised, never lowered, and only while every member may see the new marking. */
    tlp: Type.Optional(TlpSchema),
    messageTtlMs: Type.Optional(
      Type.Union([Type.Integer({ minimum: MIN_MESSAGE_TTL_MS, maximum: MAX_MESSAGE_TTL_MS }), Type.Null()]),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** The caller's own flags in a conversation. */
export type UpdateMyMembershipRequest = Static<typeof UpdateMyMembershipRequest>;
export const UpdateMyMembershipRequest = Type.Object(
  {
    muted: Type.Optional(Type.Boolean()),
    favourite: Type.Optional(Type.Boolean()),
    archived: Type.Optional(Type.Boolean()),
    markedUnread: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export type AddMembersRequest = Static<typeof AddMembersRequest>;
export const AddMembersRequest = StrictObject({
  userIds: Type.Array(UserId.Schema, {
    minItems: 1,
    maxItems: MAX_GROUP_MEMBERS_PER_REQUEST,
    uniqueItems: true,
  }),
});

export type SetConversationRoleRequest = Static<typeof SetConversationRoleRequest>;
export const SetConversationRoleRequest = StrictObject({ role: AssignableRoleSchema });

export type ConversationMemberParams = Static<typeof ConversationMemberParams>;
export const ConversationMemberParams = StrictObject({ id: ConversationIdSchema, userId: UserId.Schema });

/** "I have read up to here": moves forward only, and clears the marked-unread flag. */
export type MarkReadRequest = Static<typeof MarkReadRequest>;
export const MarkReadRequest = StrictObject({ seq: Seq });

export type ReceiptsQuery = Static<typeof ReceiptsQuery>;
export const ReceiptsQuery = StrictObject({ seq: Seq });

/** "Seen by": members who read up to `seq` or beyond; empty when the caller does not share receipts. */
export type ReceiptsResponse = Static<typeof ReceiptsResponse>;
export const ReceiptsResponse = StrictObject({
  seenBy: Type.Array(StrictObject({ userId: UserId.Schema, lastReadSeq: Type.Integer({ minimum: 0 }) })),
});

/** Read receipts are on by default; off, the user neither shows nor sees read positions. */
export type ReadReceiptsSetting = Static<typeof ReadReceiptsSetting>;
export const ReadReceiptsSetting = StrictObject({ enabled: Type.Boolean() });
