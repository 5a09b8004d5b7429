import { randomUUID } from 'node:crypto';
import type {
  CreateConversationRequest,
  MemberRole,
  TlpLevel,
  UpdateConversationRequest,
  UpdateMyMembershipRequest,
  UserId,
} from '@enlets/protocol';
import {
  advanceLastRead,
  findDirectConversation,
  findMembership,
  insertConversation,
  insertDirectConversation,
  listMemberIds,
  listMemberships,
  lockConversation,
  updateConversation as storeConversationPatch,
  updateMembership,
  type ConversationPatch,
  type ConversationRecord,
  type MembershipRecord,
} from '../../storage/repositories/conversations.js';
import {
  listConversationIdsOfUser,
  listReceiptSharingMemberIds,
} from '../../storage/repositories/conversation-lists.js';
import { listRolesOfUsers, updateUser } from '../../storage/repositories/users.js';
import { accessConversationAsMember, isManager } from '../access/conversations.js';
import type { Actor } from '../actor.js';
import { DomainError, forbidden, notFound } from '../errors.js';
import { inTransaction, type Services, type Trx } from '../services.js';
import { checkTlpChange } from '../tlp.js';
import { appendSystemEvent, publishAfterCommit } from './events.js';
import { addMembers, removeMembers } from './membership.js';

type AfterCommit = (hook: () => void) => void;

function conflict(message: string, reason: string): DomainError {
  return new DomainError('CONFLICT', message, { reason });
}

/** The one key of a pair's 1:1 conversation: the same whoever starts it. */
function directKeyOf(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/** Locks a conversation the actor is a member of and returns it fresh, with the actor's membership. */
async function lockAsMember(
  services: Services,
  trx: Trx,
  actor: Actor,
  conversationId: string,
): Promise<{ conversation: ConversationRecord; membership: MembershipRecord }> {
  const { membership } = await accessConversationAsMember(trx, actor, conversationId);
  const conversation = await lockConversation(trx, conversationId, services.clock.now());
  if (conversation === undefined) throw notFound('conversation');
  return { conversation, membership };
}

function requireManager(membership: MembershipRecord): void {
  if (!isManager(membership)) throw forbidden('conversation.manage');
}

/**
 * The one 1:1 conversation of the actor and `userId`: found, or created with both as members. Concurrent
 * creates of the same pair yield one conversation: the loser's insert does nothing (unique `direct_key`) and it
 * reads the winner's conversation afresh once its own transaction is over.
 */
export async function openDirectConversation(
  services: Services,
  actor: Actor,
  userId: UserId,
): Promise<{ readonly conversationId: string; readonly created: boolean }> {
  if (userId === actor.user.id) throw conflict('a 1:1 conversation needs someone else', 'self');
  const directKey = directKeyOf(actor.user.id, userId);
  const existing = await findDirectConversation(services.db, directKey);
  if (existing !== undefined)
    return { conversationId: await rejoinDirect(services, actor, existing), created: false };

  const id = randomUUID();
  const created = await inTransaction(services, async (trx, afterCommit) => {
    const now = services.clock.now();
    const conversation = {
      id,
      kind: 'direct' as const,
      name: null,
      description: null,
      tlp: 'GREEN' as const,
      joinMode: null,
      listed: false,
      passwordHash: null,
      readOnly: false,
      leaveAllowed: false,
      scopeKind: null,
      scopeId: null,
      messageTtlMs: null,
      historyVisible: false,
      directKey,
      createdBy: actor.user.id,
      createdAt: now,
    };
    if (!(await insertDirectConversation(trx, conversation))) return false;
    await addMembers(
      services,
      trx,
      afterCommit,
      { ...conversation, headSeq: 0, updatedAt: now, historyForNewcomers: 'off' },
      [actor.user.id, userId],
      'member',
      actor.user.id,
    );
    return true;
  });
  if (created) return { conversationId: id, created: true };
  const winner = await findDirectConversation(services.db, directKey);
  if (winner === undefined) throw new Error(`direct conversation ${directKey} vanished after a conflict`);
  return { conversationId: await rejoinDirect(services, actor, winner), created: false };
}

/**
 * An existing 1:1 conversation; a partner who was taken out of it (their account was removed and they cannot
 * come back, so in practice only the caller) is added again, through the usual eligibility checks.
 */
async function rejoinDirect(
  services: Services,
  actor: Actor,
  conversation: ConversationRecord,
): Promise<string> {
  const members = await listMemberIds(services.db, conversation.id);
  if (members.includes(actor.user.id)) return conversation.id;
  await inTransaction(services, async (trx, afterCommit) => {
    const fresh = await lockConversation(trx, conversation.id, services.clock.now());
    if (fresh === undefined) throw notFound('conversation');
    await addMembers(services, trx, afterCommit, fresh, [actor.user.id], 'member', actor.user.id);
  });
  return conversation.id;
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { issues: [{ path: `body${path}`, message }] });
}

/** POST /conversations: a 1:1 conversation (found or created) or a new group, by `kind`. */
export async function openConversation(
  services: Services,
  actor: Actor,
  request: CreateConversationRequest,
): Promise<{ readonly conversationId: string; readonly created: boolean }> {
  if (request.kind === 'direct') {
    if (request.userId === undefined) throw invalid('/userId', 'a 1:1 conversation needs userId');
    for (const field of ['name', 'description', 'memberIds', 'tlp'] as const)
      if (request[field] !== undefined) throw invalid(`/${field}`, `a 1:1 conversation takes no ${field}`);
    return openDirectConversation(services, actor, request.userId);
  }
  if (request.userId !== undefined) throw invalid('/userId', 'a group takes memberIds, not userId');
  if (request.name === undefined) throw invalid('/name', 'a group needs a name');
  const conversationId = await createGroupConversation(services, actor, {
    name: request.name,
    description: request.description,
    memberIds: request.memberIds ?? [],
    tlp: request.tlp,
  });
  return { conversationId, created: true };
}

/** A new group: the actor is its owner, `memberIds` its members, all within what the marking allows. */
async function createGroupConversation(
  services: Services,
  actor: Actor,
  input: {
    readonly name: string;
    readonly description?: string | undefined;
    readonly memberIds: readonly UserId[];
    readonly tlp?: TlpLevel | undefined;
  },
): Promise<string> {
  const id = randomUUID();
  await inTransaction(services, async (trx, afterCommit) => {
    const now = services.clock.now();
    await insertConversation(trx, {
      id,
      kind: 'group',
      name: input.name,
      description: input.description ?? null,
      tlp: input.tlp ?? 'GREEN',
      joinMode: null,
      listed: false,
      passwordHash: null,
      readOnly: false,
      leaveAllowed: true,
      scopeKind: null,
      scopeId: null,
      messageTtlMs: null,
      historyVisible: false,
      directKey: null,
      createdBy: actor.user.id,
      createdAt: now,
    });
    const created = await lockConversation(trx, id, now);
    if (created === undefined) throw new Error(`group ${id} vanished inside its own transaction`);
    await addMembers(services, trx, afterCommit, created, [actor.user.id], 'owner', actor.user.id);
    const others = input.memberIds.filter((m) => m !== actor.user.id);
    // Everyone added at creation sees the conversation from its start.
    if (others.length > 0)
      await addMembers(services, trx, afterCommit, created, others, 'member', actor.user.id);
  });
  return id;
}

/**
 * Changes a conversation's settings. In groups only the owner and managers may (others FORBIDDEN); in a 1:1
 * conversation either person may set the marking and the message timer, and there is no name. The marking is
 * raised only, and only while every member may see the new one. Each effective change is one
 * `conversation.updated` system event naming what changed.
 */
export async function updateConversationSettings(
  services: Services,
  actor: Actor,
  conversationId: string,
  request: UpdateConversationRequest,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await lockAsMember(services, trx, actor, conversationId);
    if (conversation.kind === 'direct') {
      if (request.name !== undefined || request.description !== undefined)
        throw conflict('a 1:1 conversation has no name or description', 'direct');
    } else requireManager(membership);

    const patch: ConversationPatch = {};
    const changes: Record<string, unknown> = {};
    if (request.name !== undefined && request.name !== conversation.name) {
      patch.name = request.name;
      changes['name'] = request.name;
    }
    if (request.description !== undefined && request.description !== conversation.description) {
      patch.description = request.description;
      changes['description'] = request.description;
    }
    if (request.messageTtlMs !== undefined && request.messageTtlMs !== conversation.messageTtlMs) {
      patch.messageTtlMs = request.messageTtlMs;
      changes['messageTtlMs'] = request.messageTtlMs;
    }
    if (request.tlp !== undefined && request.tlp !== conversation.tlp) {
      const memberIds = await listMemberIds(trx, conversationId);
      const roles = await listRolesOfUsers(trx, memberIds);
      checkTlpChange(
        conversation.tlp,
        request.tlp,
        memberIds.map((id) => roles.get(id) ?? []),
      );
      patch.tlp = request.tlp;
      changes['tlp'] = request.tlp;
    }
    if (Object.keys(changes).length === 0) return;
    await storeConversationPatch(trx, conversationId, patch, services.clock.now());
    await appendSystemEvent(services, trx, afterCommit, conversationId, {
      type: 'conversation.updated',
      changes,
      by: actor.user.id,
    });
  });
}

/**
 * Adds people to a conversation. Any member of a group may; in channels and broadcasts only managers; a 1:1
 * conversation never takes more members (CONFLICT). Eligibility and the marking are checked by addMembers;
 * newcomers see only what follows.
 */
export async function addConversationMembers(
  services: Services,
  actor: Actor,
  conversationId: string,
  userIds: readonly UserId[],
): Promise<readonly UserId[]> {
  return inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await lockAsMember(services, trx, actor, conversationId);
    if (conversation.kind === 'direct')
      throw conflict('a 1:1 conversation takes no more members; start a group', 'direct');
    if (conversation.kind !== 'group') requireManager(membership);
    return addMembers(services, trx, afterCommit, conversation, userIds, 'member', actor.user.id);
  });
}

/** A manager removes a member. Only the owner removes managers; the owner is never removed. */
export async function removeConversationMember(
  services: Services,
  actor: Actor,
  conversationId: string,
  userId: UserId,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await lockAsMember(services, trx, actor, conversationId);
    if (conversation.kind === 'direct') throw conflict('nobody is removed from a 1:1 conversation', 'direct');
    requireManager(membership);
    if (userId === actor.user.id) throw conflict('leave the conversation instead', 'self');
    const target = await findMembership(trx, conversationId, userId);
    if (target === undefined) throw new DomainError('NOT_FOUND', 'member not found', { userId });
    if (target.role === 'owner') throw conflict('the owner cannot be removed', 'owner');
    if (target.role === 'manager' && membership.role !== 'owner') throw forbidden('conversation.manage');
    await removeMembers(services, trx, afterCommit, conversationId, [userId], actor.user.id, 'removed');
  });
}

/** A manager gives a member another role. Only the owner changes a manager's role; the owner's never changes. */
export async function setConversationMemberRole(
  services: Services,
  actor: Actor,
  conversationId: string,
  userId: UserId,
  role: Exclude<MemberRole, 'owner'>,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await lockAsMember(services, trx, actor, conversationId);
    if (conversation.kind === 'direct') throw conflict('a 1:1 conversation has no roles', 'direct');
    requireManager(membership);
    const target = await findMembership(trx, conversationId, userId);
    if (target === undefined) throw new DomainError('NOT_FOUND', 'member not found', { userId });
    if (target.role === 'owner') throw conflict('the owner’s role does not change', 'owner');
    if (target.role === 'manager' && membership.role !== 'owner') throw forbidden('conversation.manage');
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

const ROLE_RANK: Readonly<Record<MemberRole, number>> = { owner: 0, manager: 1, moderator: 2, member: 3 };

/**
 * Before an owner goes, ownership passes to the longest-standing other member (managers first among those who
 * joined at the same moment), announced as a `member.role_changed` event. Nothing happens if they are alone.
 */
async function handOverOwnership(
  services: Services,
  trx: Trx,
  afterCommit: AfterCommit,
  conversationId: string,
  leavingUserId: UserId,
): Promise<void> {
  const members = await listMemberships(trx, conversationId);
  const leaving = members.find((m) => m.userId === leavingUserId);
  if (leaving?.role !== 'owner') return;
  if (members.some((m) => m.role === 'owner' && m.userId !== leavingUserId)) return;
  const heir = members
    .filter((m) => m.userId !== leavingUserId)
    .sort(
      (a, b) =>
        a.joinedAt - b.joinedAt ||
        ROLE_RANK[a.role] - ROLE_RANK[b.role] ||
        (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
    )[0];
  if (heir === undefined) return;
  await updateMembership(trx, conversationId, heir.userId, { role: 'owner' });
  await appendSystemEvent(services, trx, afterCommit, conversationId, {
    type: 'member.role_changed',
    userId: heir.userId,
    role: 'owner',
    by: null,
    reason: 'owner_left',
  });
}

/**
 * The actor leaves a group (a 1:1 conversation cannot be left, only archived: CONFLICT; some channels forbid
 * leaving). An owner leaving hands ownership on first.
 */
export async function leaveConversation(
  services: Services,
  actor: Actor,
  conversationId: string,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { conversation } = await lockAsMember(services, trx, actor, conversationId);
    if (conversation.kind === 'direct')
      throw conflict('a 1:1 conversation cannot be left; archive it instead', 'direct');
    if (!conversation.leaveAllowed) throw conflict('this conversation cannot be left', 'leave_forbidden');
    await handOverOwnership(services, trx, afterCommit, conversationId, actor.user.id);
    await removeMembers(services, trx, afterCommit, conversationId, [actor.user.id], actor.user.id, 'left');
  });
}

/**
 * Takes a user out of every conversation when their account goes (removal, leaving the service), in the
 * caller's transaction: each conversation gets its `member.removed` event, and owned groups pass to an heir.
 */
export async function removeFromAllConversations(
  services: Services,
  trx: Trx,
  afterCommit: AfterCommit,
  userId: UserId,
  reason: 'removed' | 'left_service',
): Promise<void> {
  for (const conversationId of await listConversationIdsOfUser(trx, userId)) {
    if ((await lockConversation(trx, conversationId, services.clock.now())) === undefined) continue;
    await handOverOwnership(services, trx, afterCommit, conversationId, userId);
    await removeMembers(services, trx, afterCommit, conversationId, [userId], null, reason);
  }
}

/** The actor's own flags in a conversation (mute, favourite, archive, mark unread). */
export async function updateMyMembership(
  services: Services,
  actor: Actor,
  conversationId: string,
  flags: UpdateMyMembershipRequest,
): Promise<void> {
  await inTransaction(services, async (trx) => {
    await accessConversationAsMember(trx, actor, conversationId);
    await updateMembership(trx, conversationId, actor.user.id, {
      ...(flags.muted !== undefined && { muted: flags.muted }),
      ...(flags.favourite !== undefined && { favourite: flags.favourite }),
      ...(flags.archived !== undefined && { archived: flags.archived }),
      ...(flags.markedUnread !== undefined && { markedUnread: flags.markedUnread }),
    });
  });
}

/**
 * "Read up to `seq`" from one of the actor's devices: the position moves forward only (a late, older read never
 * moves it back) and the marked-unread flag clears. When the actor shares read receipts, the members who share
 * them too learn it at once (a `receipt` frame after the commit, never stored as an event).
 */
export async function markRead(
  services: Services,
  actor: Actor,
  conversationId: string,
  seq: number,
): Promise<void> {
  await inTransaction(services, async (trx, afterCommit) => {
    const { conversation, membership } = await accessConversationAsMember(trx, actor, conversationId);
    if (seq > conversation.headSeq)
      throw new DomainError('INVALID_REFERENCE', 'cannot read beyond the newest event', {
        headSeq: conversation.headSeq,
      });
    const advanced = await advanceLastRead(trx, conversationId, actor.user.id, seq);
    if (!advanced) {
      if (membership.markedUnread)
        await updateMembership(trx, conversationId, actor.user.id, { markedUnread: false });
      return;
    }
    if (!actor.user.readReceipts) return;
    const recipients = await listReceiptSharingMemberIds(trx, conversationId);
    publishAfterCommit(services, afterCommit, {
      type: 'ephemeral',
      recipients,
      frame: { type: 'receipt', conversationId, userId: actor.user.id, seq, at: services.clock.now() },
    });
  });
}

/** Turns read receipts on or off for the actor, everywhere. */
export async function setReadReceipts(services: Services, actor: Actor, enabled: boolean): Promise<void> {
  await inTransaction(services, async (trx) => {
    await updateUser(trx, actor.user.id, { readReceipts: enabled }, services.clock.now());
  });
}
