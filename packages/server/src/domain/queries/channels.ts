import type {
  ChannelDetails,
  ChannelDirectoryQuery,
  ChannelDirectoryResponse,
  ChannelJoinRequestsResponse,
  ChannelMembersResponse,
  ChannelScopeKind,
  MemberRole,
} from '@enlets/protocol';
import type { ConversationRecord } from '../../storage/repositories/conversations.js';
import {
  countMembers,
  listChannelRequests,
  listDirectoryChannels,
} from '../../storage/repositories/channels.js';
import type { Db } from '../../storage/repositories/users.js';
import { accessConversationAsMember, isManager, type ConversationAccess } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError, forbidden, notFound } from '../errors.js';
import { listMembersWithUsers } from '../../storage/repositories/conversation-lists.js';
import type { Services } from '../services.js';
import { isNetworkMember } from '../tlp.js';

export const DEFAULT_DIRECTORY_PAGE = 50;

/** A channel the actor is a member of; anything else (another kind, not a member, unknown) is NOT_FOUND. */
export async function accessChannelAsMember(
  db: Db,
  actor: Actor,
  conversationId: string,
): Promise<ConversationAccess> {
  const access = await accessConversationAsMember(db, actor, conversationId);
  if (access.conversation.kind !== 'channel') throw notFound('channel');
  return access;
}

/** Managers (and the owner) run a channel; other members are told FORBIDDEN (they know the channel exists). */
export async function accessChannelAsManager(
  db: Db,
  actor: Actor,
  conversationId: string,
): Promise<ConversationAccess> {
  const access = await accessChannelAsMember(db, actor, conversationId);
  if (!isManager(access.membership)) throw forbidden('channel.manage');
  return access;
}

export async function channelDetails(
  db: Db,
  conversation: ConversationRecord,
  role: MemberRole,
): Promise<ChannelDetails> {
  return {
    id: conversation.id,
    name: conversation.name ?? '',
    description: conversation.description,
    tlp: conversation.tlp,
    joinMode: conversation.joinMode ?? 'closed',
    listed: conversation.listed,
    readOnly: conversation.readOnly,
    leaveAllowed: conversation.leaveAllowed,
    historyVisible: conversation.historyVisible,
    messageTtlMs: conversation.messageTtlMs,
    scopeKind: (conversation.scopeKind ?? 'adhoc') as ChannelScopeKind,
    scopeId: conversation.scopeId,
    memberCount: await countMembers(db, conversation.id),
    role,
  };
}

export async function getChannel(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<ChannelDetails> {
  const { conversation, membership } = await accessChannelAsMember(services.db, actor, conversationId);
  return channelDetails(services.db, conversation, membership.role);
}

/**
 * The channel directory: listed channels by name. Hidden channels never appear, not even in a count; partner
 * guests see only the channels they are members of.
 */
export async function listChannelDirectory(
  services: Services,
  actor: Actor,
  query: ChannelDirectoryQuery,
): Promise<ChannelDirectoryResponse> {
  const limit = query.limit ?? DEFAULT_DIRECTORY_PAGE;
  const entries = await listDirectoryChannels(services.db, {
    userId: actor.user.id,
    joinedOnly: !isNetworkMember(actor.roles),
    ...(query.q === undefined ? {} : { nameContains: query.q.toLowerCase() }),
    ...(query.scopeKind === undefined ? {} : { scopeKind: query.scopeKind }),
    ...(query.cursor === undefined ? {} : { after: decodeCursor(query.cursor) }),
    limit: limit + 1,
  });
  const page = entries.slice(0, limit);
  const last = page.at(-1);
  return {
    channels: page.map(({ conversation: c, memberCount, joined }) => ({
      id: c.id,
      name: c.name ?? '',
      description: c.description,
      tlp: c.tlp,
      joinMode: c.joinMode ?? 'closed',
      memberCount,
      scopeKind: (c.scopeKind ?? 'adhoc') as ChannelScopeKind,
      scopeId: c.scopeId,
      joined,
    })),
    nextCursor:
      entries.length > limit && last !== undefined
        ? encodeCursor(last.conversation.name ?? '', last.conversation.id)
        : null,
  };
}

function encodeCursor(name: string, id: string): string {
  return Buffer.from(JSON.stringify([name, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { name: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string')
      return { name: value[0], id: value[1] };
  } catch {
    // falls through to the validation error
  }
  throw new DomainError('VALIDATION_FAILED', 'the cursor is not one this server gave out', {
    issues: [{ path: '/cursor', message: 'unknown cursor' }],
  });
}

/** Every member of a channel sees who else is in it. */
export async function listMembersOfChannel(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<ChannelMembersResponse> {
  await accessChannelAsMember(services.db, actor, conversationId);
  const members = await listMembersWithUsers(services.db, conversationId);
  return {
    members: members.map(({ userId, displayName, role, joinedAt }) => ({
      userId,
      displayName,
      role,
      joinedAt,
    })),
  };
}

/** Requests to join a closed channel, for its managers. */
export async function listJoinRequests(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<ChannelJoinRequestsResponse> {
  await accessChannelAsManager(services.db, actor, conversationId);
  const requests = await listChannelRequests(services.db, conversationId);
  return { requests: requests.map((r) => ({ ...r })) };
}
