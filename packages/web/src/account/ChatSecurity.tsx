import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { SecurityWarning } from '@enlets/client';
import type { ConversationDetail, ConversationSummary } from '@enlets/protocol';
import { Link } from '../app/navigation.js';
import { accountPath } from '../app/routes.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SafeName } from '../ui/SafeName.js';
import { distinctReasons, useWarnings } from './use-warnings.js';
import { useVerification } from './verification-state.js';
import { VerificationBadge } from './VerificationBadge.js';
import '../styles/account.css';

interface ChatSecurityProps {
  readonly session: SecureSession;
  readonly conversation: ConversationSummary;
  readonly ownUserId: string;
}

/**
 * The chat header's security line: in a 1:1 conversation the contact's verification state (a link to their
 * safety number), in a group a link to verify its members; and a banner with every security
 * warning the worker reported for this conversation (refused messages or devices, an identity change), with
 * its reason.
 */
export function ChatSecurity({ session, conversation, ownUserId }: ChatSecurityProps): ReactNode {
  const i18n = useI18n();
  const contact = useDirectContact(session, conversation, ownUserId);
  const { state } = useVerification(session, contact?.userId);
  const concerns = useCallback(
    (warning: SecurityWarning) => warning.conversationId === conversation.id,
    [conversation.id],
  );
  const warnings = useWarnings(session, concerns);
  const [dismissed, setDismissed] = useState(0);
  const changed = state.status === 'ready' && state.verification.state === 'changed';
  const shown = warnings.slice(dismissed);

  return (
    <>
      <div className="chat-security">
        {contact !== undefined && state.status === 'ready' && (
          <Link to={accountPath(contact.userId)} className="chat-verify-link">
            <VerificationBadge state={state.verification.state} />
            <span className="visually-hidden">
              {' '}
              {i18n.t('account.chat.verifyContact')} <SafeName name={contact.displayName} />
            </span>
          </Link>
        )}
        {conversation.kind !== 'direct' && (
          <Link to={accountPath()} className="chat-verify-link">
            {i18n.t('account.chat.verifyMembers')}
          </Link>
        )}
      </div>
      {(changed || shown.length > 0) && (
        <div className="chat-security-banner" role="alert">
          <span aria-hidden="true">⚠</span>
          <div>
            {changed && contact !== undefined && (
              <p>
                {i18n.t('account.chat.identityChanged')}{' '}
                <Link to={accountPath(contact.userId)}>{i18n.t('account.chat.review')}</Link>
              </p>
            )}
            {shown.length > 0 && (
              <>
                <p>{i18n.t('account.chat.warningsIntro')}</p>
                <ul>
                  {distinctReasons(shown)
                    .slice(0, 3)
                    .map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                </ul>
                <button type="button" className="link-button" onClick={() => setDismissed(warnings.length)}>
                  {i18n.t('account.chat.dismiss')}
                </button>
              </>
            )}
          </div>
        </div>
      )}
    </>
  );
}

/** The other member of a 1:1 conversation; undefined for groups and channels. */
function useDirectContact(
  session: SecureSession,
  conversation: ConversationSummary,
  ownUserId: string,
): { readonly userId: string; readonly displayName: string } | undefined {
  const [contact, setContact] = useState<{ userId: string; displayName: string } | undefined>(undefined);
  useEffect(() => {
    setContact(undefined);
    if (conversation.kind !== 'direct') return undefined;
    let cancelled = false;
    session.http
      .get<ConversationDetail>(`/conversations/${encodeURIComponent(conversation.id)}`)
      .then((detail) => {
        const other = detail.members.find((m) => m.userId !== ownUserId);
        if (!cancelled && other !== undefined)
          setContact({ userId: other.userId, displayName: other.displayName });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [session, conversation.id, conversation.kind, ownUserId]);
  return contact;
}
