import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { NewBroadcastDialog } from './NewBroadcastDialog.js';
import { onOpenConversationRequested } from './open-requests.js';
import '../styles/broadcasts.css';

interface BroadcastActionsProps {
  readonly session: SecureSession;
  readonly ownUserId: string;
  /** Shows a conversation in the messenger (loading the list again first): a new broadcast, a private reply. */
  readonly onOpen: (conversationId: string) => void;
}

/**
 * The sidebar's part of broadcasts: the "New broadcast" button and its dialog, and the receiving end of the
 * chat pane's "Reply privately" (open-requests.ts), which opens the 1:1 conversation with the sender.
 */
export function BroadcastActions({ session, ownUserId, onOpen }: BroadcastActionsProps): ReactNode {
  const i18n = useI18n();
  const [creating, setCreating] = useState(false);
  const open = useRef(onOpen);
  open.current = onOpen;

  useEffect(() => onOpenConversationRequested(session, (id) => open.current(id)), [session]);

  return (
    <>
      <button type="button" aria-haspopup="dialog" onClick={() => setCreating(true)}>
        {i18n.t('broadcasts.open')}
      </button>
      {creating && (
        <NewBroadcastDialog
          session={session}
          ownUserId={ownUserId}
          onClose={() => setCreating(false)}
          onCreated={(conversationId) => {
            setCreating(false);
            onOpen(conversationId);
          }}
        />
      )}
    </>
  );
}
