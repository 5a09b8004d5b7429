import { SCOPED_ROLES, type Role } from '@enlets/protocol';
import { countryExists } from '../../storage/repositories/agencies.js';
import {
  findUserById,
  grantRole,
  listRoles,
  revokeRole,
  type Db,
  type RoleGrantRecord,
  type UserRecord,
} from '../../storage/repositories/users.js';
import type { MemberWithRoles } from '../access/members.js';
import type { Actor } from '../actor.js';
import { appendAudit } from '../audit.js';
import { DomainError, notFound } from '../errors.js';
import { inTransaction, type Services } from '../services.js';

export interface RoleChange {
  readonly role: Role;
  readonly scope?: string;
}

function invalidScope(message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { issues: [{ path: '/scope', message }] });
}

/** NCP: a network country; TIG lead: a TIG id; every other role: no scope. */
async function checkedGrant(db: Db, change: RoleChange): Promise<RoleGrantRecord> {
  const scope = change.scope ?? '';
  if (!SCOPED_ROLES.has(change.role)) {
    if (scope !== '') throw invalidScope(`the role ${change.role} takes no scope`);
    return { role: change.role, scope: '' };
  }
  if (scope === '') throw invalidScope(`the role ${change.role} needs a scope`);
  if (change.role === 'ncp' && !(await countryExists(db, scope)))
    throw new DomainError('UNKNOWN_COUNTRY', 'an NCP scope must be a network country code');
  // TODO(#tigs): check the TIG id once TIGs exist.
  return { role: change.role, scope };
}

async function target(db: Db, id: string): Promise<UserRecord> {
  const user = await findUserById(db, id);
  if (user === undefined || user.status === 'removed') throw notFound('member');
  return user;
}

/** Grants a role (Secretariat admin). Granting a role the member holds already changes nothing. */
export async function grantMemberRole(
  services: Services,
  actor: Actor,
  memberId: string,
  change: RoleChange,
): Promise<MemberWithRoles> {
  return inTransaction(services, async (trx) => {
    const user = await target(trx, memberId);
    const grant = await checkedGrant(trx, change);
    if (await grantRole(trx, user.id, grant, actor.user.id, services.clock.now())) {
      await appendAudit(services, trx, {
        actorId: actor.user.id,
        action: 'role.granted',
        targetType: 'user',
        targetId: user.id,
        details: { role: grant.role, scope: grant.scope },
      });
    }
    return { user, roles: await listRoles(trx, user.id) };
  });
}

/**
 * Revokes a role (Secretariat admin). A role the member does not hold is NOT_FOUND. An admin cannot revoke
 * their own secretariat_admin role: the platform would risk losing its last administrator (CONFLICT).
 */
export async function revokeMemberRole(
  services: Services,
  actor: Actor,
  memberId: string,
  change: RoleChange,
): Promise<MemberWithRoles> {
  return inTransaction(services, async (trx) => {
    const user = await target(trx, memberId);
    const grant = await checkedGrant(trx, change);
    if (grant.role === 'secretariat_admin' && user.id === actor.user.id)
      throw new DomainError('CONFLICT', 'you cannot revoke your own Secretariat admin role', {
        reason: 'own_admin_role',
      });
    if (!(await revokeRole(trx, user.id, grant))) throw notFound('role grant');
    await appendAudit(services, trx, {
      actorId: actor.user.id,
      action: 'role.revoked',
      targetType: 'user',
      targetId: user.id,
      details: { role: grant.role, scope: grant.scope },
    });
    return { user, roles: await listRoles(trx, user.id) };
  });
}
