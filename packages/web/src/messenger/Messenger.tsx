import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { AccountRoute } from '../account/AccountRoute.js';
import { canOpenAdminConsole } from '../admin/admin-access.js';
import { Link, useRoute } from '../app/navigation.js';
import { accountPath, adminPath, vettingPath } from '../app/routes.js';
import { ConversationActions } from '../conversations/ConversationActions.js';
import { SecureGate } from '../device/SecureGate.js';
import { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { preloadMessageText } from '../messaging/MessageText.js';
import { LiveNotifications } from '../notifications/LiveNotifications.js';
import { canVet } from '../membership/membership-api.js';
import { SearchPanel } from '../search/SearchPanel.js';
import { LanguagePicker } from '../ui/LanguagePicker.js';
import { ChatView } from './ChatView.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { ConversationList } from './ConversationList.js';
import { conversationTitle } from './conversation-title.js';
import { LockedChat } from './LockedChat.js';
import { useConversations } from './use-conversations.js';

interface MessengerProps {
  readonly user: MeResponse;
  /** The session ended: by the button here, or on the server (logout elsewhere, suspension). */
  readonly onSignedOut: () => void;
}

/**
 * The signed-in application: one secure session (its worker holds the keys and the realtime connection) for
 * as long as this screen is shown, behind the gate that unlocks this browser's encryption keys. Until they are
 * open the messenger is locked: the conversation list shows at once (server metadata, no key needed) with the
 * unlock step above it, and no message can be read or sent.
 */
export function Messenger({ user, onSignedOut }: MessengerProps): ReactNode {
  const [session, setSession] = useState<SecureSession | undefined>(undefined);
  const route = useRoute();
  useEffect(() => {
    const opened = new SecureSession();
    const off = opened.on('signedOut', onSignedOut);
    setSession(opened);
    return () => {
      off();
      void opened.stop();
    };
  }, [onSignedOut]);
  const signOut = useCallback(() => {
    if (session !== undefined) void signOutOf(session).finally(onSignedOut);
  }, [session, onSignedOut]);
  if (session === undefined) return null;
  return (
    <SecureGate session={session} user={user}>
      {(lock) => (
        // The same shape locked and unlocked: the messenger keeps its list (and the chosen conversation)
        // when the keys open.
        <>
          {lock === undefined && <LiveNotifications session={session} userId={user.id} />}
          {route.kind === 'account' && lock === undefined ? (
            <AccountRoute session={session} user={user} contactId={route.contactId} onSignOut={signOut} />
          ) : (
            <MessengerScreen session={session} user={user} onSignOut={signOut} lock={lock} />
          )}
        </>
      )}
    </SecureGate>
  );
}

/** Ends the session on the server (the cookie may be gone already) and stops the worker. */
async function signOutOf(session: SecureSession): Promise<void> {
  try {
    await session.http.logout();
  } catch {
    // Either way this page is signed out.
  }
  await session.stop({ forgetDevice: true });
}

interface MessengerScreenProps {
  readonly session: SecureSession;
  readonly user: MeResponse;
  readonly onSignOut: () => void;
  /** The lock panel while this browser's keys are not open (SecureGate): shown above, and nothing that needs a key. */
  readonly lock: ReactNode | undefined;
}

function MessengerScreen({ session, user, onSignOut, lock }: MessengerScreenProps): ReactNode {
  const i18n = useI18n();
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const conversations = useConversations(session, user.id, selectedId);
  const { markRead, reload } = conversations;
  const locked = lock !== undefined;
  // Live events flow only once the keys are open: what arrived while locked is in the server's counts.
  const wasLocked = useRef(locked);
  useEffect(() => {
    if (wasLocked.current && !locked) reload();
    wasLocked.current = locked;
  }, [locked, reload]);
  // Once the list is up, fetch the chat's Markdown renderer while the person is still choosing.
  const listReady = conversations.state.status === 'ready';
  useEffect(() => {
    if (listReady) preloadMessageText();
  }, [listReady]);
  const selected =
    conversations.state.status === 'ready'
      ? conversations.state.conversations.find((c) => c.id === selectedId)
      : undefined;

  const back = useCallback(() => {
    const previous = selectedId;
    setSelectedId(undefined);
    // Back where the person was: on the row of the conversation they left (narrow screens hide the list).
    requestAnimationFrame(() => {
      if (previous !== undefined) document.getElementById(`conversation-${previous}`)?.focus();
    });
  }, [selectedId]);
  const seen = useCallback(
    (seq: number) => {
      if (selectedId !== undefined) markRead(selectedId, seq);
    },
    [selectedId, markRead],
  );
  // A search result opens its conversation at the message found (a new object: the same hit twice jumps twice).
  const [jump, setJump] = useState<{ readonly conversationId: string; readonly seq: number } | undefined>();
  const openFound = useCallback((conversationId: string, seq: number) => {
    setSelectedId(conversationId);
    setJump({ conversationId, seq });
  }, []);

  return (
    <div
      className="messenger"
      data-view={selected === undefined ? 'list' : 'chat'}
      data-locked={locked ? 'true' : 'false'}
    >
      <header className="topbar">
        <h1 className="app-name">{i18n.t('app.name')}</h1>
        {!locked && <ConnectionStatus session={session} />}
        <div className="topbar-actions">
          {canVet(user) && (
            <Link to={vettingPath()} className="topbar-link">
              {i18n.t('vetting.open')}
            </Link>
          )}
          <Link to={accountPath()} className="topbar-link">
            {i18n.t('account.open')}
          </Link>
          {canOpenAdminConsole(user) && (
            <Link to={adminPath()} className="topbar-link">
              {i18n.t('admin.open')}
            </Link>
          )}
          <LanguagePicker />
          <span className="signed-in-as">{i18n.t('header.signedInAs', { name: user.displayName })}</span>
          <button type="button" onClick={onSignOut}>
            {i18n.t('header.signOut')}
          </button>
        </div>
      </header>
      {lock}
      <nav className="sidebar" aria-labelledby="conversations-heading">
        <h2 id="conversations-heading">{i18n.t('conversations.heading')}</h2>
        {!locked && (
          <>
            <SearchPanel
              session={session}
              conversations={conversations}
              ownUserId={user.id}
              onOpen={openFound}
            />
            <ConversationActions session={session} user={user} list={conversations} onOpen={setSelectedId} />
          </>
        )}
        <ConversationList conversations={conversations} selectedId={selectedId} onSelect={setSelectedId} />
      </nav>
      <main className="chat-pane">
        {selected === undefined ? (
          <p className="chat-placeholder">{i18n.t(locked ? 'chat.locked' : 'chat.noneSelected')}</p>
        ) : locked ? (
          <LockedChat
            conversation={selected}
            title={conversationTitle(selected, conversations.directNames, i18n)}
            onBack={back}
          />
        ) : (
          <ChatView
            key={selected.id}
            session={session}
            conversation={selected}
            title={conversationTitle(selected, conversations.directNames, i18n)}
            ownUserId={user.id}
            onBack={back}
            onSeen={seen}
            jumpTo={jump?.conversationId === selected.id ? jump : undefined}
          />
        )}
      </main>
    </div>
  );
}
