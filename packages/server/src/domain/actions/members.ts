import type { AccountStatus, UserId } from '@enlets/protocol';
import { voidOneTimeTokens } from '../../storage/repositories/one-time-tokens.js';
import {
  findUserById,
  listRoles,
  listUsersWithRole,
  revokeAllRoles,
  updateUser,
  type UserRecord,
} from '../../storage/repositories/users.js';
import { accessMemberForModeration, type MemberWithRoles } from '../access/members.js';
import type { Actor } from '../actor.js';
import { appendAudit, type AuditAction } from '../audit.js';
import { DomainError } from '../errors.js';
import { queueMail } from '../mail.js';
import { inTransaction, type Services, type Trx } from '../services.js';
import { removeFromAllConversations } from './conversations.js';
import { endAllSessions } from './sessions.js';

function conflict(message: string, reason: string): DomainError {
  return new DomainError('CONFLICT', message, { reason });
}

/** The member whose status changes, re-read after the change. */
async function reread(trx: Trx, id: UserId): Promise<MemberWithRoles> {
  const user = await findUserById(trx, id);
  if (user === undefined) throw new Error(`user ${id} vanished inside its own transaction`);
  return { user, roles: await listRoles(trx, id) };
}

async function changeStatus(
  services: Services,
  trx: Trx,
  user: UserRecord,
  status: AccountStatus,
  reason: string | null,
): Promise<void> {
  const now = services.clock.now();
  await updateUser(trx, user.id, { status, statusReason: reason }, now);
  if (status === 'suspended' || status === 'removed') await endAllSessions(trx, user.id, now);
  if (status === 'removed') {
    await revokeAllRoles(trx, user.id);
    await voidOneTimeTokens(trx, 'invitation', user.id, now);
    await voidOneTimeTokens(trx, 'password_reset', user.id, now);
  }
}

async function audit(
  services: Services,
  trx: Trx,
  actor: Actor,
  action: AuditAction,
  user: UserRecord,
  reason: string | null,
): Promise<void> {
  await appendAudit(services, trx, {
    actorId: actor.user.id,
    action,
    targetType: 'user',
    targetId: user.id,
    details: reason === null ? {} : { reason },
  });
}

/**
 * Suspends a member: every session ends at once (the next request with any of their tokens is a 401) and they
 * are told by mail. A Secretariat admin may suspend anyone, an NCP members of their own countries who are not
 * Secretariat admins (others are NOT_FOUND); nobody suspends themselves.
 */
export async function suspendMember(
  services: Services,
  actor: Actor,
  memberId: string,
  reason: string,
): Promise<MemberWithRoles> {
  return inTransaction(services, async (trx, afterCommit) => {
    const { user } = await accessMemberForModeration(trx, actor, memberId);
    if (user.id === actor.user.id) throw conflict('you cannot suspend yourself', 'self');
    if (user.status === 'suspended') throw conflict('the member is suspended already', 'already_suspended');
    await changeStatus(services, trx, user, 'suspended', reason);
    afterCommit(() => services.bus.publish({ type: 'sessions.revoked', userId: user.id, sessionIds: 'all' }));
    await audit(services, trx, actor, 'member.suspended', user, reason);
    await queueMail(services, trx, afterCommit, {
      to: user.email,
      kind: 'member_suspended',
      subject: 'Your ENLETS Messenger account is suspended',
      text: [
        `Hello ${user.displayName},`,
        '',
        'your ENLETS Messenger account has been suspended and all your sessions have been signed out.',
        '',
        `Reason: ${reason}`,
        '',
        'If you think this is a mistake, contact the National Contact Point of your country or the ENLETS Secretariat.',
      ].join('\n'),
    });
    return reread(trx, user.id);
  });
}

/** Lifts a suspension. A member who never activated their account goes back to "invited". */
export async function reactivateMember(
  services: Services,
  actor: Actor,
  memberId: string,
): Promise<MemberWithRoles> {
  return inTransaction(services, async (trx, afterCommit) => {
    const { user } = await accessMemberForModeration(trx, actor, memberId);
    if (user.status !== 'suspended') throw conflict('the member is not suspended', 'not_suspended');
    await changeStatus(services, trx, user, user.passwordHash === null ? 'invited' : 'active', null);
    await audit(services, trx, actor, 'member.reactivated', user, null);
    await queueMail(services, trx, afterCommit, {
      to: user.email,
      kind: 'member_reactivated',
      subject: 'Your ENLETS Messenger account is active again',
      text: `Hello ${user.displayName},\n\nthe suspension of your ENLETS Messenger account has been lifted. You can sign in again.`,
    });
    return reread(trx, user.id);
  });
}

/** Removes a member from the service for good: sessions end, roles and pending links are gone. */
export async function removeMember(
  services: Services,
  actor: Actor,
  memberId: string,
  reason: string,
): Promise<MemberWithRoles> {
  return inTransaction(services, async (trx, afterCommit) => {
    const { user } = await accessMemberForModeration(trx, actor, memberId);
    if (user.id === actor.user.id) throw conflict('use "leave the service" to remove yourself', 'self');
    await changeStatus(services, trx, user, 'removed', reason);
    afterCommit(() => services.bus.publish({ type: 'sessions.revoked', userId: user.id, sessionIds: 'all' }));
    await removeFromAllConversations(services, trx, afterCommit, user.id, 'removed');
    await audit(services, trx, actor, 'member.removed', user, reason);
    await queueMail(services, trx, afterCommit, {
      to: user.email,
      kind: 'member_removed',
      subject: 'You have been removed from the ENLETS Messenger',
      text: [
        `Hello ${user.displayName},`,
        '',
        'your ENLETS Messenger account has been removed and all your sessions have been signed out.',
        '',
        `Reason: ${reason}`,
      ].join('\n'),
    });
    return reread(trx, user.id);
  });
}

/**
 * "Leaving the service": after the password confirms it, the account is removed, every session ends and every
 * role is gone. The last active Secretariat admin cannot leave (CONFLICT): the platform would be unmanaged.
 */
export async function leaveService(services: Services, actor: Actor, password: string): Promise<void> {
  const hash = actor.user.passwordHash;
  if (hash === null || !(await services.passwords.verify(hash, password)))
    throw new DomainError('INVALID_CREDENTIALS', 'the password is wrong');
  await inTransaction(services, async (trx, afterCommit) => {
    const user = await findUserById(trx, actor.user.id);
    if (user === undefined || user.status === 'removed') throw new Error('the actor has no account');
    if (actor.roles.some((g) => g.role === 'secretariat_admin')) {
      const admins = await listUsersWithRole(trx, 'secretariat_admin', '');
      if (!admins.some((a) => a.id !== user.id))
        throw conflict('the last Secretariat admin cannot leave; appoint another first', 'last_admin');
    }
    await changeStatus(services, trx, user, 'removed', 'left the service');
    afterCommit(() => services.bus.publish({ type: 'sessions.revoked', userId: user.id, sessionIds: 'all' }));
    await removeFromAllConversations(services, trx, afterCommit, user.id, 'left_service');
    await audit(services, trx, actor, 'member.left', user, null);
    await queueMail(services, trx, afterCommit, {
      to: user.email,
      kind: 'member_left',
      subject: 'You have left the ENLETS Messenger',
      text: [
        `Hello ${user.displayName},`,
        '',
        'as you asked, your ENLETS Messenger account has been closed and all your devices have been signed out.',
        'If you did not ask for this, contact the ENLETS Secretariat at once.',
      ].join('\n'),
    });
  });
}
