import type { Role } from '@enlets/protocol';
import type { Actor } from './actor.js';
import { forbidden } from './errors.js';

/**
 * The one policy table: which roles hold each permission. Every route names the permission it needs (see
 * `http/routes/*`), and the authorization-matrix test checks every route against this table for every role.
 * Scope (an NCP acts for their own country only) is checked by the access guards in `domain/access/`, which
 * answer NOT_FOUND for objects outside the caller's scope.
 */
export const POLICY = {
  /** Any signed-in, active account: own profile, own sessions, own second factor. */
  'self.manage': [
    'secretariat_admin',
    'ncp',
    'core_group',
    'tig_lead',
    'lea_member',
    'partner_guest',
    'subscriber',
  ],
  /** The Messenger: conversations, channels, messages, sync (subscribers only get newsletters). */
  'messenger.use': ['secretariat_admin', 'ncp', 'core_group', 'tig_lead', 'lea_member', 'partner_guest'],
  /** The network directory: countries with their NCPs, agencies, members. */
  'directory.read': ['secretariat_admin', 'ncp', 'core_group', 'tig_lead', 'lea_member'],
  /** See and decide membership applications (NCPs for their country only). */
  'applications.vet': ['secretariat_admin', 'ncp'],
  /** Suspend and reactivate members (NCPs for members of their country only). */
  'members.suspend': ['secretariat_admin', 'ncp'],
  /** Remove a member from the service for good. */
  'members.remove': ['secretariat_admin'],
  /** Grant and revoke roles, including NCP and Core Group. */
  'roles.manage': ['secretariat_admin'],
  /** Add agencies (NCPs for their country only). */
  'agencies.manage': ['secretariat_admin', 'ncp'],
  /** Read the audit log and verify its chain. */
  'audit.read': ['secretariat_admin'],
  /** See the outgoing mail queue and retry failed mail. */
  'mail.manage': ['secretariat_admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof POLICY;

export function rolesFor(permission: Permission): readonly Role[] {
  return POLICY[permission];
}

export function hasPermission(actor: Actor, permission: Permission): boolean {
  const allowed: readonly Role[] = POLICY[permission];
  return actor.roles.some((grant) => allowed.includes(grant.role));
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!hasPermission(actor, permission)) throw forbidden(permission);
}

export function hasRole(actor: Actor, role: Role, scope = ''): boolean {
  return actor.roles.some((g) => g.role === role && g.scope === scope);
}

/** Country codes the actor is NCP for. */
export function ncpCountries(actor: Actor): readonly string[] {
  return actor.roles.filter((g) => g.role === 'ncp').map((g) => g.scope);
}

export function isSecretariatAdmin(actor: Actor): boolean {
  return hasRole(actor, 'secretariat_admin');
}
