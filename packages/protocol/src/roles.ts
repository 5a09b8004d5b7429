/**
 * The roles of the ENLETS network (product brief, "Who uses it"). A user may hold several; NCP and TIG lead are
 * scoped (to a country, to a TIG).
 */
export const ROLES = [
  'secretariat_admin',
  'ncp',
  'core_group',
  'tig_lead',
  'lea_member',
  'partner_guest',
  'subscriber',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles whose grant names a scope: the country code for an NCP, the TIG id for a TIG lead. */
export const SCOPED_ROLES: ReadonlySet<Role> = new Set<Role>(['ncp', 'tig_lead']);

export const ACCOUNT_STATUSES = ['invited', 'active', 'suspended', 'removed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const APPLICATION_STATUSES = ['email_unverified', 'pending', 'approved', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
