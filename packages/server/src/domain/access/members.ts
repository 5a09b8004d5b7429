import type { UserRecord, RoleGrantRecord, Db } from '../../storage/repositories/users.js';
import { findUserById, listRoles } from '../../storage/repositories/users.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import { isSecretariatAdmin, ncpCountries } from '../policy.js';

export interface MemberWithRoles {
  readonly user: UserRecord;
  readonly roles: readonly RoleGrantRecord[];
}

/**
 * A member as the directory may show them to the actor (who holds `directory.read`): active members to
 * everyone, invited and suspended ones to a Secretariat admin and to the NCP of their country only. Removed
 * accounts and everything else answer NOT_FOUND, the same as an unknown id.
 */
export async function accessMemberById(db: Db, actor: Actor, id: string): Promise<MemberWithRoles> {
  const user = await findUserById(db, id);
  if (user === undefined || user.status === 'removed') throw notFound('member');
  const visible =
    user.status === 'active' ||
    isSecretariatAdmin(actor) ||
    (user.countryCode !== null && ncpCountries(actor).includes(user.countryCode));
  if (!visible) throw notFound('member');
  return { user, roles: await listRoles(db, user.id) };
}

/**
 * A member the actor may suspend, reactivate or remove: any account that is not removed for a Secretariat
 * admin; for an NCP only members of their own countries, and never a Secretariat admin. Outside that scope
 * the answer is NOT_FOUND, so a guard never tells "exists but not yours" apart from "unknown".
 */
export async function accessMemberForModeration(db: Db, actor: Actor, id: string): Promise<MemberWithRoles> {
  const user = await findUserById(db, id);
  if (user === undefined || user.status === 'removed') throw notFound('member');
  const roles = await listRoles(db, user.id);
  if (isSecretariatAdmin(actor)) return { user, roles };
  const inScope =
    user.countryCode !== null &&
    ncpCountries(actor).includes(user.countryCode) &&
    !roles.some((g) => g.role === 'secretariat_admin');
  if (!inScope) throw notFound('member');
  return { user, roles };
}
