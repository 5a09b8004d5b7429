import type {
  AssignableMemberRole,
  ChannelDetails,
  CreateChannelRequest,
  JoinChannelResponse,
  MemberRole,
  UpdateChannelRequest,
  UserId,
} from '@enlets/protocol';
import { MINUTE_MS } from '../../lib/clock.js';
import { newId } from '../../lib/secrets.js';
import { deleteChannelRequest, insertChannelRequest } from '../../storage/repositories/channels.js';
import {
  findConversation,
  findMembership,
  insertConversation,
  lockConversation,
  listMemberIds,
  listMemberships,
  updateConversation,
  updateMembership,
  type ConversationPatch,
  type ConversationRecord,
} from '../../storage/repositories/conversations.js';
import { findCountry } from '../../storage/repositories/countries.js';
import {
  clearThrottle,
  findLockedUntil,
  recordFailure,
  type ThrottleRule,
} from '../../storage/repositories/login-throttle.js';
import { listRolesOfUsers } from '../../storage/repositories/users.js';
import { isManager } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError, forbidden, notFound } from '../errors.js';
import { hasRole, isSecretariatAdmin } from '../policy.js';
import { accessChannelAsManager, accessChannelAsMember, channelDetails } from '../queries/channels.js';
import { inTransaction, type Services, type Trx } from '../services.js';
import { checkTlpChange } from '../tlp.js';
import { appendSystemEvent } from './events.js';
import { addMembers, removeMembers } from './membership.js';
import { noticeJoinDecided, noticeJoinRequested } from './join-request-notices.js';

/** Wrong channel passwords: 5 within 15 minutes lock that user out of that channel for 15 minutes. */
export const CHANNEL_PASSWORD_RULE: ThrottleRule = {
  maxFailures: 5,
  windowMs: 15 * MINUTE_MS,
  lockMs: 15 * MINUTE_MS,
};

const ROLE_RANK: Readonly<Record<MemberRole, number>> = { owner: 3, manager: 2, moderator: 1, member: 0 };

function invalid(path: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { issues: [{ path, message }] });
}

/**
 * Who may open a channel for a scope: the whole network is the Secretariat's; a country's channels its NCPs'
 * (or the Secretariat's); a TIG's its leads'; anyone on the Messenger may open an ad hoc one.
 */
async function checkMayCreate(
  services: Services,
  actor: Actor,
  request: CreateChannelRequest,
): Promise<string | null> {
  const admin = isSecretariatAdmin(actor);
  const scopeId = request.scopeId;
  switch (request.scopeKind) {
    case 'network':
    case 'adhoc':
      if (scopeId !== undefined) throw invalid('/scopeId', `a ${request.scopeKind} channel has no scopeId`);
      if (request.scopeKind === 'network' && !admin) throw forbidden('channels.create.network');
      return null;
    case 'country':
      if (scopeId === undefined) throw invalid('/scopeId', 'a country channel names its country');
      if ((await findCountry(services.db, scopeId)) === undefined) {
        throw new DomainError('UNKNOWN_COUNTRY', 'the country code is not one of the network countries');
      }
      if (!admin && !hasRole(actor, 'ncp', scopeId)) throw forbidden('channels.create.country');
      return scopeId;
    case 'tig':
      if (scopeId === undefined) throw invalid('/scopeId', 'a TIG channel names its TIG');
      if (!admin && !hasRole(actor, 'tig_lead', scopeId)) throw forbidden('channels.create.tig');
      return scopeId;
  }
}

/** Opens a channel; its creator is the owner. */
export async function createChannel(
  services: Services,
  actor: Actor,
  request: CreateChannelRequest,
): Promise<ChannelDetails> {
  const scopeId = await checkMayCreate(services, actor, request);
  if (request.joinMode === 'password' && request.password === undefined) {
    throw invalid('/password', 'a password channel needs a password');
  }
  if (request.joinMode !== 'password' && request.password !== undefined) {
    throw invalid('/password', 'only password channels have a password');
  }
  const passwordHash =
    request.password === undefined ? null : await services.passwords.hash(request.password);
  const id = newId();
  return inTransaction(services, async (trx, afterCommit) => {
    await insertConversation(trx, {
      id,
      kind: 'channel',
      name: request.name,
      description: request.description ?? null,
      tlp: request.tlp,
      joinMode: request.joinMode,
      listed: request.listed,
      passwordHash,
      readOnly: request.readOnly,
      leaveAllowed: request.leaveAllowed,
      scopeKind: request.scopeKind,
      scopeId,
      messageTtlMs: null,
      historyVisible: request.historyVisible ?? false,
      directKey: null,
      createdBy: actor.user.id,
      createdAt: services.clock.now(),
    });
    const created = await findConversation(trx, id);
    if (created === undefined) throw new Error('channel vanished in its own transaction');
    await addMembers(services, trx, afterCommit, created, [actor.user.id], 'owner', actor.user.id);
    return channelDetails(trx, created, 'owner');
  });
}

/** The channel's row, locked for the transaction: membership changes read a head seq no send can move. */
async function lockChannel(
  services: Services,
  trx: Trx,
  conversationId: string,
): Promise<ConversationRecord> {
  const locked = await lockConversation(trx, conversationId, services.clock.now());
  if (locked === undefined) throw notFound('channel');
  return locked;
}

/**
 * A channel someone who is not (necessarily) a member may address by id: a listed channel, or any channel they
 * are in. A hidden channel is NOT_FOUND to outsiders, as if it did not exist (they can only be invited).
 */
async function findAddressableChannel(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<{ channel: ConversationRecord; member: boolean }> {
  const channel = await findConversation(services.db, conversationId);
  if (channel?.kind !== 'channel') throw notFound('channel');
  const member = (await findMembership(services.db, conversationId, actor.user.id)) !== undefined;
  if (!member && !channel.listed) throw notFound('channel');
  return { channel, member };
}

/**
 * Joins a channel by its join mode: open channels at once, password channels with the right password (wrong
 * guesses are throttled per user and channel), closed channels by a request that a manager approves.
 */
export async function joinChannel(
  services: Services,
  actor: Actor,
  conversationId: string,
  password: string | undefined,
): Promise<JoinChannelResponse> {
  const { channel, member } = await findAddressableChannel(services, actor, conversationId);
  if (member) return { joined: true, requested: false };
  const mode = channel.joinMode ?? 'closed';
  if (mode === 'closed') {
    await inTransaction(services, async (trx, afterCommit) => {
      const now = services.clock.now();
      // A repeated request changes nothing and tells the managers nothing new.
      if (await insertChannelRequest(trx, conversationId, actor.user.id, now))
        await noticeJoinRequested(services, trx, afterCommit, conversationId, actor, now);
    });
    return { joined: false, requested: true };
  }
  if (mode === 'password') await checkChannelPassword(services, actor, channel, password);
  await inTransaction(services, async (trx, afterCommit) => {
    const fresh = await lockChannel(services, trx, conversationId);
    await addMembers(services, trx, afterCommit, fresh, [actor.user.id], 'member', actor.user.id);
    await deleteChannelRequest(trx, conversationId, actor.user.id);
  });
  return { joined: true, requested: false };
}

async function checkChannelPassword(
  services: Services,
  actor: Actor,
  channel: ConversationRecord,
  password: string | undefined,
): Promise<void> {
  const key = `chanpw:${actor.user.id}:${channel.id}`;
  const now = services.clock.now();
  const lockedUntil = await findLockedUntil(services.db, [key]);
  if (lockedUntil > now) {
    throw new DomainError('LOGIN_THROTTLED', 'too many wrong passwords; try again later', {
      retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil - now) / 1000)),
      scope: 'channel',
    });
  }
  const ok =
    channel.passwordHash !== null &&
    password !== undefined &&
    (await services.passwords.verify(channel.passwordHash, password));
  if (!ok) {
    // Outside any transaction: the failure must count even though the request fails.
    await recordFailure(services.db, key, CHANNEL_PASSWORD_RULE, now);
    throw new DomainError('INVALID_CREDENTIALS', 'the channel password is wrong');
  }
  await clearThrottle(services.db, key);
}

/** A manager lets a requester in (as a member) or turns the request down. */
export async function decideJoinRequest(
  services: Services,
  actor: Actor,
  conversationId: string,
  userId: UserId,
  approve: boolean,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    await accessChannelAsManager(trx, actor, conversationId);
    const conversation = await lockChannel(services, trx, conversationId);
    if (!(await deleteChannelRequest(trx, conversationId, userId))) throw notFound('request');
    if (approve)
      await addMembers(services, trx, afterCommit, conversation, [userId], 'member', actor.user.id);
    await noticeJoinDecided(services, trx, afterCommit, conversationId, userId, approve);
  });
}

/** Managers invite people; the channel's marking must allow each of them (addMembers checks it). */
export async function inviteChannelMembers(
  services: Services,
  actor: Actor,
  conversationId: string,
  userIds: readonly UserId[],
): Promise<readonly UserId[]> {
  return inTransaction(services, async (trx, afterCommit) => {
    await accessChannelAsManager(trx, actor, conversationId);
    const conversation = await lockChannel(services, trx, conversationId);
    const added = await addMembers(
      services,
      trx,
      afterCommit,
      conversation,
      userIds,
      'member',
      actor.user.id,
    );
    for (const userId of added) await deleteChannelRequest(trx, conversationId, userId);
    return added;
  });
}

/**
 * Removes a member: the owner may remove anyone, managers those below them (moderators and members);
 * moderators and members no one. Leaving is `leaveChannel`.
 */
export async function removeChannelMember(
  services: Services,
  actor: Actor,
  conversationId: string,
  userId: UserId,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { membership } = await accessChannelAsManager(trx, actor, conversationId);
    if (userId === actor.user.id) {
      throw new DomainError('CONFLICT', 'leave the channel instead', { reason: 'use_leave' });
    }
    const target = await findMembership(trx, conversationId, userId);
    if (target === undefined) throw notFound('member');
    if (ROLE_RANK[target.role] >= ROLE_RANK[membership.role]) throw forbidden('channel.remove_member');
    await removeMembers(services, trx, afterCommit, conversationId, [userId], actor.user.id, 'removed');
  });
}

/**
 * Sets a member's role: the owner may set anyone's (but their own); a manager may set the role of moderators
 * and members, up to manager.
 */
export async function setChannelMemberRole(
  services: Services,
  actor: Actor,
  conversationId: string,
  userId: UserId,
  role: AssignableMemberRole,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { membership } = await accessChannelAsManager(trx, actor, conversationId);
    const target = await findMembership(trx, conversationId, userId);
    if (target === undefined) throw notFound('member');
    const rank = ROLE_RANK[membership.role];
    if (ROLE_RANK[target.role] >= rank || ROLE_RANK[role] > rank) throw forbidden('channel.set_role');
    if (target.role === role) return;
    await updateMembership(trx, conversationId, userId, { role });
    await appendSystemEvent(services, trx, afterCommit, conversationId, {
      type: 'member.role_changed',
      userId,
      role,
      by: actor.user.id,
    });
  });
}

/**
 * Leaves a channel. Refused when the channel forbids leaving (managers may always leave), and for the last
 * manager while others remain (someone must run the channel).
 */
export async function leaveChannel(services: Services, actor: Actor, conversationId: string): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await accessChannelAsMember(trx, actor, conversationId);
    const manager = isManager(membership);
    if (!conversation.leaveAllowed && !manager) {
      throw new DomainError('CONFLICT', 'this channel does not allow leaving', {
        reason: 'leave_not_allowed',
      });
    }
    if (manager) {
      const others = (await listMemberships(trx, conversationId)).filter((m) => m.userId !== actor.user.id);
      if (others.length > 0 && !others.some(isManager)) {
        throw new DomainError('CONFLICT', 'make someone else a manager before leaving', {
          reason: 'last_manager',
        });
      }
    }
    await removeMembers(services, trx, afterCommit, conversationId, [actor.user.id], actor.user.id, 'left');
  });
}

/**
 * Changes a channel's settings (managers only) and tells every member with one `conversation.updated` system
 * event listing the changes. The marking can be raised, never lowered, and only if every member may stay; a
 * password is never part of the event (only that it changed).
 */
export async function updateChannel(
  services: Services,
  actor: Actor,
  conversationId: string,
  request: UpdateChannelRequest,
): Promise<ChannelDetails> {
  const newHash =
    request.password === undefined ? undefined : await services.passwords.hash(request.password);
  return inTransaction(services, async (trx, afterCommit) => {
    const { membership } = await accessChannelAsManager(trx, actor, conversationId);
    const c = await lockChannel(services, trx, conversationId);
    const patch: { -readonly [K in keyof ConversationPatch]: ConversationPatch[K] } = {};
    const changes: Record<string, unknown> = {};
    const set = <K extends keyof ConversationPatch & keyof ConversationRecord>(
      key: K,
      value: ConversationPatch[K] | undefined,
    ): void => {
      if (value === undefined || value === c[key]) return;
      patch[key] = value;
      changes[key] = value;
    };
    set('name', request.name);
    set('description', request.description);
    set('listed', request.listed);
    set('readOnly', request.readOnly);
    set('leaveAllowed', request.leaveAllowed);
    set('historyVisible', request.historyVisible);
    set('messageTtlMs', request.messageTtlMs);
    if (request.tlp !== undefined && request.tlp !== c.tlp) {
      const memberIds = await listMemberIds(trx, conversationId);
      const roles = await listRolesOfUsers(trx, memberIds);
      checkTlpChange(
        c.tlp,
        request.tlp,
        memberIds.map((id) => roles.get(id) ?? []),
      );
      set('tlp', request.tlp);
    }
    const mode = request.joinMode ?? c.joinMode ?? 'closed';
    set('joinMode', mode);
    if (mode === 'password') {
      if (newHash === undefined && c.passwordHash === null) {
        throw invalid('/password', 'a password channel needs a password');
      }
      if (newHash !== undefined) {
        patch.passwordHash = newHash;
        changes['passwordChanged'] = true;
      }
    } else {
      if (newHash !== undefined) throw invalid('/password', 'only password channels have a password');
      if (c.passwordHash !== null) patch.passwordHash = null;
    }
    if (Object.keys(changes).length === 0) return channelDetails(trx, c, membership.role);
    await updateConversation(trx, conversationId, patch, services.clock.now());
    await appendSystemEvent(services, trx, afterCommit, conversationId, {
      type: 'conversation.updated',
      changes,
      by: actor.user.id,
    });
    const updated = await findConversation(trx, conversationId);
    if (updated === undefined) throw notFound('channel');
    return channelDetails(trx, updated, membership.role);
  });
}
