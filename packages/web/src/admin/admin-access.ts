import type { MeResponse } from '@enlets/client';
import type { Role } from '@enlets/protocol';

/** The console's sections, in the order of its navigation; the address is `/admin/<section>`. */
export const ADMIN_SECTIONS = ['members', 'applications', 'audit', 'mail'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

/**
 * Who may open each section: the server's policy (packages/server/src/domain/policy.ts) for the calls the
 * section makes, mirrored so that a person sees what they may do instead of a wall of refusals. The server
 * decides anyway; this only shapes the screen. An NCP moderates the members of their own countries and vets
 * their applications; the audit log and the mail queue are the Secretariat's.
 */
const SECTION_ROLES: Readonly<Record<AdminSection, readonly Role[]>> = {
  members: ['secretariat_admin', 'ncp'],
  applications: ['secretariat_admin', 'ncp'],
  audit: ['secretariat_admin'],
  mail: ['secretariat_admin'],
};

function holdsAny(user: MeResponse, roles: readonly Role[]): boolean {
  return user.roles.some((grant) => roles.includes(grant.role));
}

export function isAdminSection(value: string): value is AdminSection {
  return (ADMIN_SECTIONS as readonly string[]).includes(value);
}

export function canOpenSection(user: MeResponse, section: AdminSection): boolean {
  return holdsAny(user, SECTION_ROLES[section]);
}

/** The sections this account may open; none means the console is not for them. */
export function allowedSections(user: MeResponse): readonly AdminSection[] {
  return ADMIN_SECTIONS.filter((section) => canOpenSection(user, section));
}

/** Whether the messenger shows the way to the console. */
export function canOpenAdminConsole(user: MeResponse): boolean {
  return allowedSections(user).length > 0;
}

/** `roles.manage` and `members.remove`: the Secretariat only. */
export function canManageRoles(user: MeResponse): boolean {
  return holdsAny(user, ['secretariat_admin']);
}

export function canRemoveMembers(user: MeResponse): boolean {
  return holdsAny(user, ['secretariat_admin']);
}

/**
 * `members.suspend`: the Secretariat, and NCPs for the members of their countries (the server checks which).
 * It also lets them list suspended and invited accounts, which the server scopes the same way.
 */
export function canSuspendMembers(user: MeResponse): boolean {
  return holdsAny(user, ['secretariat_admin', 'ncp']);
}
