import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { MeResponse, MessengerSession } from '@enlets/client';
import { useI18n } from '../i18n/I18nProvider.js';
import { openCookieSession } from '../session/cookie-session.js';
import { LanguagePicker } from '../ui/LanguagePicker.js';
import { ChatView } from './ChatView.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { ConversationList } from './ConversationList.js';
import { conversationTitle } from './conversation-title.js';
import { useConversations } from './use-conversations.js';

interface MessengerProps {
  readonly user: MeResponse;
  /** The session ended: by the button here, or on the server (logout elsewhere, suspension). */
  readonly onSignedOut: () => void;
}

/** The signed-in application: one realtime session for as long as this screen is shown. */
export function Messenger({ user, onSignedOut }: MessengerProps): ReactNode {
  const [session, setSession] = useState<MessengerSession | undefined>(undefined);
  useEffect(() => {
    const opened = openCookieSession();
    const off = opened.on('signedOut', onSignedOut);
    opened.start();
    setSession(opened);
    return () => {
      off();
      void opened.stop();
    };
  }, [onSignedOut]);
  if (session === undefined) return null;
  return <MessengerScreen session={session} user={user} onSignedOut={onSignedOut} />;
}

function MessengerScreen({
  session,
  user,
  onSignedOut,
}: MessengerProps & { readonly session: MessengerSession }): ReactNode {
  const i18n = useI18n();
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const conversations = useConversations(session, user.id, selectedId);
  const { markRead } = conversations;
  const selected =
    conversations.state.status === 'ready'
      ? conversations.state.conversations.find((c) => c.id === selectedId)
      : undefined;

  const signOut = async (): Promise<void> => {
    try {
      await session.http.logout();
    } catch {
      // The cookie may be gone already; either way this page is signed out.
    }
    await session.stop();
    onSignedOut();
  };

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

  return (
    <div className="messenger" data-view={selected === undefined ? 'list' : 'chat'}>
      <header className="topbar">
        <h1 className="app-name">{i18n.t('app.name')}</h1>
        <ConnectionStatus session={session} />
        <div className="topbar-actions">
          <LanguagePicker />
          <span className="signed-in-as">{i18n.t('header.signedInAs', { name: user.displayName })}</span>
          <button type="button" onClick={() => void signOut()}>
            {i18n.t('header.signOut')}
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-labelledby="conversations-heading">
        <h2 id="conversations-heading">{i18n.t('conversations.heading')}</h2>
        <ConversationList conversations={conversations} selectedId={selectedId} onSelect={setSelectedId} />
      </nav>
      <main className="chat-pane">
        {selected === undefined ? (
          <p className="chat-placeholder">{i18n.t('chat.noneSelected')}</p>
        ) : (
          <ChatView
            key={selected.id}
            session={session}
            conversation={selected}
            title={conversationTitle(selected, conversations.directNames, i18n)}
            ownUserId={user.id}
            onBack={back}
            onSeen={seen}
          />
        )}
      </main>
    </div>
  );
}
