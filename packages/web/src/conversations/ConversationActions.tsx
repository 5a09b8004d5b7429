import { useEffect, useState, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { BroadcastActions } from '../broadcasts/BroadcastActions.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Conversations } from '../messenger/use-conversations.js';
import { ChannelBrowser } from './ChannelBrowser.js';
import { onConversationsChanged } from './conversation-changes.js';
import { NewConversationDialog } from './NewConversationDialog.js';
import '../styles/conversations.css';

interface ConversationActionsProps {
  readonly session: SecureSession;
  readonly user: MeResponse;
  /** The conversation list: loaded again when a conversation was started, joined, left or changed. */
  readonly list: Conversations;
  /** Selects a conversation in the messenger (one just started, joined or created). */
  readonly onOpen: (conversationId: string) => void;
}

/**
 * The conversation list's own actions: start a conversation, browse and join channels. Also where the list
 * learns that a screen elsewhere (the settings of the open conversation) joined, left or changed one.
 */
export function ConversationActions({ session, user, list, onOpen }: ConversationActionsProps): ReactNode {
  const i18n = useI18n();
  const [open, setOpen] = useState<'new' | 'channels' | undefined>(undefined);
  const { reload } = list;
  const ownUserId = user.id;
  useEffect(() => onConversationsChanged(session, reload), [session, reload]);

  const show = (conversationId: string): void => {
    setOpen(undefined);
    reload();
    onOpen(conversationId);
  };
  const close = (): void => setOpen(undefined);

  return (
    <div className="conversation-actions">
      <button type="button" className="primary" aria-haspopup="dialog" onClick={() => setOpen('new')}>
        {i18n.t('convo.new.open')}
      </button>
      <button type="button" aria-haspopup="dialog" onClick={() => setOpen('channels')}>
        {i18n.t('convo.channels.open')}
      </button>
      <BroadcastActions session={session} ownUserId={ownUserId} onOpen={show} />
      {open === 'new' && (
        <NewConversationDialog session={session} ownUserId={ownUserId} onClose={close} onStarted={show} />
      )}
      {open === 'channels' && (
        <ChannelBrowser session={session} ownUserId={ownUserId} onClose={close} onOpen={show} />
      )}
    </div>
  );
}
