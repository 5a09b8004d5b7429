/**
 * The web client's addresses. Most of the app lives at `/`; the others are where the server's e-mails and
 * console output point (packages/server/src/domain/mail.ts `publicLink`, server.ts for the setup link):
 *
 * - `/setup#token=…`               the one-time link for the first Secretariat admin, printed on first start;
 * - `/apply`                       the public membership application form;
 * - `/apply/verify#token=…`        the link in the mail that confirms an applicant's address;
 * - `/activate#token=…`            the invitation link mailed when an application is approved;
 * - `/vetting/applications/<id>`   the link in the mail to the country's NCPs; `/vetting` is the queue.
 * - `/account`, `/account/verify/<userId>`   the account screens (sessions, devices, profile) and the safety
 *                                  number with one contact (src/account).
 * - `/reset-password#token=…`      the link in the password-reset mail (src/password-reset);
 * - `/admin`, `/admin/<section>`   the Secretariat's console (src/admin): members, applications, audit, mail.
 *
 * Tokens travel in the fragment, which browsers never send to a server or put in a Referer header.
 */
export type Route =
  | { readonly kind: 'home' }
  | { readonly kind: 'setup'; readonly token: string | undefined }
  | { readonly kind: 'apply' }
  | { readonly kind: 'verifyEmail'; readonly token: string | undefined }
  | { readonly kind: 'activate'; readonly token: string | undefined }
  | { readonly kind: 'vetting'; readonly applicationId: string | undefined }
  | { readonly kind: 'account'; readonly contactId: string | undefined }
  | { readonly kind: 'resetPassword'; readonly token: string | undefined }
  | { readonly kind: 'admin'; readonly section: string | undefined };

export const PATHS = {
  home: '/',
  setup: '/setup',
  apply: '/apply',
  verifyEmail: '/apply/verify',
  activate: '/activate',
  vetting: '/vetting',
  account: '/account',
  resetPassword: '/reset-password',
  admin: '/admin',
} as const;

/** The admin console, or one of its sections (src/admin decides which sections exist). */
export function adminPath(section?: string): string {
  return section === undefined ? PATHS.admin : `${PATHS.admin}/${encodeURIComponent(section)}`;
}

/** The account screens, or the verification screen of one contact. */
export function accountPath(contactId?: string): string {
  return contactId === undefined ? PATHS.account : `${PATHS.account}/verify/${encodeURIComponent(contactId)}`;
}

/** The address of the vetting queue, or of one application in it. */
export function vettingPath(applicationId?: string): string {
  return applicationId === undefined
    ? PATHS.vetting
    : `${PATHS.vetting}/applications/${encodeURIComponent(applicationId)}`;
}

/** The `token` of a `#token=…` fragment. */
export function tokenFromHash(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token === null || token === '' ? undefined : token;
}

const APPLICATION_PATH = /^\/vetting\/applications\/([^/]+)$/;
const VERIFY_PATH = /^\/account\/verify\/([^/]+)$/;
const ADMIN_SECTION_PATH = /^\/admin\/([^/]+)$/;

/** The route of an address; anything unknown is the home screen (the messenger decides from there). */
export function parseRoute(pathname: string, hash: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  switch (path) {
    case PATHS.setup:
      return { kind: 'setup', token: tokenFromHash(hash) };
    case PATHS.apply:
      return { kind: 'apply' };
    case PATHS.verifyEmail:
      return { kind: 'verifyEmail', token: tokenFromHash(hash) };
    case PATHS.activate:
      return { kind: 'activate', token: tokenFromHash(hash) };
    case PATHS.vetting:
      return { kind: 'vetting', applicationId: undefined };
    case PATHS.account:
      return { kind: 'account', contactId: undefined };
    case PATHS.resetPassword:
      return { kind: 'resetPassword', token: tokenFromHash(hash) };
    case PATHS.admin:
      return { kind: 'admin', section: undefined };
  }
  const adminSection = ADMIN_SECTION_PATH.exec(path)?.[1];
  if (adminSection !== undefined) {
    try {
      return { kind: 'admin', section: decodeURIComponent(adminSection) };
    } catch {
      return { kind: 'admin', section: undefined };
    }
  }
  const contact = VERIFY_PATH.exec(path)?.[1];
  if (contact !== undefined) {
    try {
      return { kind: 'account', contactId: decodeURIComponent(contact) };
    } catch {
      return { kind: 'account', contactId: undefined };
    }
  }
  const application = APPLICATION_PATH.exec(path)?.[1];
  if (application !== undefined) {
    try {
      return { kind: 'vetting', applicationId: decodeURIComponent(application) };
    } catch {
      return { kind: 'vetting', applicationId: undefined };
    }
  }
  return { kind: 'home' };
}
