/**
 * The audit actions the console names in words (packages/server/src/domain/audit.ts `AuditAction`); an
 * action added on the server later shows as its code until it is added here.
 */
export const KNOWN_AUDIT_ACTIONS = [
  'setup.completed',
  'admin.created',
  'admin.logged_in',
  'application.approved',
  'application.rejected',
  'member.suspended',
  'member.reactivated',
  'member.removed',
  'member.left',
  'role.granted',
  'role.revoked',
  'agency.created',
  'mail.retried',
  'audit.exported',
  'demo.seeded',
  'e2ee_backup.created',
  'e2ee_backup.replaced',
  'history_for_newcomers.changed',
  'history.shared',
] as const;
export type KnownAuditAction = (typeof KNOWN_AUDIT_ACTIONS)[number];

export function isKnownAuditAction(action: string): action is KnownAuditAction {
  return (KNOWN_AUDIT_ACTIONS as readonly string[]).includes(action);
}

/** An entry's details as one line of text: `role: ncp · scope: DE`. Never markup: React escapes it. */
export function detailsText(details: object): string {
  return Object.entries(details)
    .filter(([, value]) => value !== '' && value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}
