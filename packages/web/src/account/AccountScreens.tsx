import { useEffect, useRef, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { Link } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { PasskeysSection } from '../passkeys/PasskeysSection.js';
import { NotificationSettings } from '../notifications/NotificationSettings.js';
import '../styles/account.css';
import { ContactsSection } from './ContactsSection.js';
import { DevicesSection } from './DevicesSection.js';
import { ProfileSection } from './ProfileSection.js';
import { SessionsSection, useSessions } from './SessionsSection.js';
import { useContacts } from './use-contacts.js';
import { VerifyContact } from './VerifyContact.js';

export interface AccountScreensProps {
  readonly session: SecureSession;
  readonly user: MeResponse;
  /** The contact whose safety number is shown; the account overview when undefined. */
  readonly contactId: string | undefined;
  readonly onSignOut: () => void;
}

/**
 * The account screens (issue 5): profile and availability, sessions with remote sign-out, the signed device
 * list, and the contacts with their verification. Shown in place of the messenger, on the same secure session.
 */
export function AccountScreens({ session, user, contactId, onSignOut }: AccountScreensProps): ReactNode {
  const i18n = useI18n();
  const contacts = useContacts(session, user.id);
  return (
    <div className="account">
      <header className="topbar">
        <p className="app-name">{i18n.t('app.name')}</p>
        <div className="topbar-actions">
          <Link to={PATHS.home} className="topbar-link">
            {i18n.t('account.backToMessenger')}
          </Link>
          <button type="button" onClick={onSignOut}>
            {i18n.t('header.signOut')}
          </button>
        </div>
      </header>
      <main className="account-main">
        {contactId === undefined ? (
          <Overview session={session} user={user} contacts={contacts} />
        ) : (
          <VerifyContact session={session} contactId={contactId} contacts={contacts} />
        )}
      </main>
    </div>
  );
}

function Overview({
  session,
  user,
  contacts,
}: {
  readonly session: SecureSession;
  readonly user: MeResponse;
  readonly contacts: ReturnType<typeof useContacts>;
}): ReactNode {
  const i18n = useI18n();
  const sessions = useSessions(session);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {i18n.t('account.heading')}
      </h1>
      <ProfileSection session={session} user={user} />
      <PasskeysSection http={session.http} user={user} />
      <NotificationSettings session={session} userId={user.id} />
      <SessionsSection session={session} state={sessions.state} reload={sessions.reload} />
      <DevicesSection session={session} sessions={sessions.state} />
      <ContactsSection session={session} contacts={contacts} />
    </>
  );
}
