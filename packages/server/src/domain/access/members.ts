import type { MemberListStatus } from '@enlets/protocol';
import type { UserRecord, RoleGrantRecord, Db } from '../../storage/repositories/users.js';
import { findUserById, listRoles } from '../../storage/repositories/users.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import { isSecretariatAdmin, ncpCountries, requirePermission } from '../policy.js';

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

/** The countries whose members a listing may show: every country, or only these (possibly none). */
export type MemberListScope =
  { readonly every: true } | { readonly every: false; readonly countries: readonly string[] };

/**
 * Which members of a status the actor (who holds `directory.read`) may list. Active members: everyone, as
 * the directory. Invited and suspended ones need `members.suspend` (FORBIDDEN otherwise), and then the same
 * scope `accessMemberById` shows them in: every country for a Secretariat admin, the NCP's own countries for
 * an NCP, so a listing never names an account the caller could not open.
 */
export function memberListScope(actor: Actor, status: MemberListStatus): MemberListScope {
  if (status === 'active') return { every: true };
  requirePermission(actor, 'members.suspend');
  if (isSecretariatAdmin(actor)) return { every: true };
  return { every: false, countries: ncpCountries(actor) };
}
