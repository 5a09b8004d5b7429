/**
 * Words of the messaging core shared by server and clients. The server stores and routes only the metadata
 * listed in docs/security-model.md ("What the server may see"); everything a person wrote travels inside the
 * opaque `payload`.
 */

/** 1:1 and group conversations, channels, broadcasts: all are conversations with one ordered event log. */
export const CONVERSATION_KINDS = ['direct', 'group', 'channel', 'broadcast'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

/**
 * What an event in a conversation's log is. `message` carries content; `edit`, `reaction`, `delete`, `pin`
 * and `unpin` refer to an earlier message by its seq; `system` events are written by the server (membership
 * and settings changes) and carry readable `system` details instead of a payload. `mls.commit` events are
 * written by the server too: the payload is an MLS commit it accepted (ADR 0011), in order with the messages.
 */
export const EVENT_KINDS = [
  'message',
  'edit',
  'reaction',
  'delete',
  'pin',
  'unpin',
  'system',
  'mls.commit',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
/** The kinds a client may send (system and mls.commit events come only from the server). */
export const CLIENT_EVENT_KINDS = ['message', 'edit', 'reaction', 'delete', 'pin', 'unpin'] as const;
export type ClientEventKind = (typeof CLIENT_EVENT_KINDS)[number];

/** Traffic Light Protocol 2.0 labels, least to most restrictive. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpLevel = (typeof TLP_LEVELS)[number];

export function tlpRank(level: TlpLevel): number {
  return TLP_LEVELS.indexOf(level);
}

/** Roles inside one conversation (not to be confused with the network roles of `roles.ts`). */
export const MEMBER_ROLES = ['owner', 'manager', 'moderator', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const JOIN_MODES = ['open', 'closed', 'password'] as const;
export type JoinMode = (typeof JOIN_MODES)[number];

/** Opaque payloads are at most this large once base64-decoded; files go through the attachment store. */
export const MAX_PAYLOAD_BYTES = 65_536;
/** Client message ids: 16 to 64 characters of [A-Za-z0-9_-] (a UUID or a ULID fits). */
export const CLIENT_MESSAGE_ID_PATTERN = '^[A-Za-z0-9_-]{16,64}$';
