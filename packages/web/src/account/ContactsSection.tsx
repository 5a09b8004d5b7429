import type { ReactNode } from 'react';
import { Link } from '../app/navigation.js';
import { accountPath } from '../app/routes.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SafeName } from '../ui/SafeName.js';
import { PresenceLine } from './PresenceLine.js';
import type { Contact, ContactsState } from './use-contacts.js';
import { usePresence } from './use-presence.js';
import { useVerification } from './verification-state.js';
import { VerificationBadge } from './VerificationBadge.js';

/** The people the user shares 1:1 and group conversations with: presence, verification, and the way to verify. */
export function ContactsSection({
  session,
  contacts,
}: {
  readonly session: SecureSession;
  readonly contacts: ContactsState;
}): ReactNode {
  const i18n = useI18n();
  return (
    <section className="account-section" aria-labelledby="contacts-heading">
      <h2 id="contacts-heading">{i18n.t('account.contacts.heading')}</h2>
      <p className="account-hint">{i18n.t('account.contacts.intro')}</p>
      {contacts.status === 'loading' && <p>{i18n.t('app.loading')}</p>}
      {contacts.status === 'failed' && <p role="alert">{i18n.t('account.contacts.failed')}</p>}
      {contacts.status === 'ready' && contacts.contacts.length === 0 && (
        <p>{i18n.t('account.contacts.none')}</p>
      )}
      {contacts.status === 'ready' && contacts.contacts.length > 0 && (
        <ul className="account-list">
          {contacts.contacts.map((contact) => (
            <ContactRow key={contact.userId} session={session} contact={contact} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ContactRow({
  session,
  contact,
}: {
  readonly session: SecureSession;
  readonly contact: Contact;
}): ReactNode {
  const i18n = useI18n();
  const presence = usePresence(session, contact.userId);
  const { state } = useVerification(session, contact.userId);
  return (
    <li className="account-item" data-contact={contact.userId}>
      <div className="account-item-main">
        <p className="account-item-title">
          <SafeName name={contact.displayName} />
          {state.status === 'ready' && <VerificationBadge state={state.verification.state} />}
        </p>
        <PresenceLine presence={presence} />
      </div>
      <Link to={accountPath(contact.userId)} className="account-action-link">
        {i18n.t('account.contacts.verify')}
        <span className="visually-hidden">
          {' '}
          <SafeName name={contact.displayName} />
        </span>
      </Link>
    </li>
  );
}
