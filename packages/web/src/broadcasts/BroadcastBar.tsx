import { useEffect, useState, type ReactNode } from 'react';
import { EnletsApiError } from '@enlets/client';
import type { ConversationSummary } from '@enlets/protocol';
import { conversationRefusal, type Refusal } from '../conversations/conversation-errors.js';
import { conversationDetail } from '../conversations/conversations-api.js';
import { Refused } from '../conversations/Refused.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import { SafeName } from '../ui/SafeName.js';
import { replyPrivately } from './broadcasts-api.js';
import { requestOpenConversation } from './open-requests.js';
import '../styles/broadcasts.css';

/** Who writes into a broadcast (the server's rule, domain/actions/events.ts): its sender and any manager. */
const WRITERS: ReadonlySet<string> = new Set(['owner', 'manager']);

/** Whether the composer has no place here: a broadcast's recipients read (and react), they do not write. */
export function isBroadcastRecipient(conversation: ConversationSummary): boolean {
  return conversation.kind === 'broadcast' && !WRITERS.has(conversation.role);
}

interface BroadcastBarProps {
  readonly session: SecureSession;
  readonly conversation: ConversationSummary;
}

/**
 * Below a broadcast's history (nothing for other conversations). The sender reads who the broadcast reaches
 * and where replies go, above the composer. A recipient gets this in place of the composer: who sent it, why
 * there is no message field, and "Reply privately", which opens (or first creates) the 1:1 conversation with
 * the sender: only the sender reads a reply, never the other recipients.
 */
export function BroadcastBar({ session, conversation }: BroadcastBarProps): ReactNode {
  const i18n = useI18n();
  if (conversation.kind !== 'broadcast') return null;
  if (conversation.role === 'owner') {
    return (
      <p className="broadcast-bar broadcast-bar-owner">
        {i18n.plural('broadcasts.owner', Math.max(0, conversation.memberCount - 1))}
      </p>
    );
  }
  if (!isBroadcastRecipient(conversation)) return null;
  return <RecipientBar session={session} conversationId={conversation.id} />;
}

function RecipientBar({
  session,
  conversationId,
}: {
  readonly session: SecureSession;
  readonly conversationId: string;
}): ReactNode {
  const i18n = useI18n();
  const sender = useSenderName(session, conversationId);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | undefined>(undefined);

  const reply = (): void => {
    setBusy(true);
    setRefusal(undefined);
    replyPrivately(session.http, conversationId).then(
      (directId) => {
        setBusy(false);
        requestOpenConversation(session, directId);
      },
      (error: unknown) => {
        setBusy(false);
        setRefusal(replyRefusal(error, i18n));
      },
    );
  };

  return (
    <section className="broadcast-bar broadcast-bar-recipient" aria-label={i18n.t('broadcasts.label')}>
      {sender !== undefined && (
        <p className="broadcast-sender">
          {i18n.t('broadcasts.from')} <SafeName name={sender} />
        </p>
      )}
      <p className="broadcast-read-only">{i18n.t('broadcasts.readOnly')}</p>
      <button type="button" className="primary" disabled={busy} onClick={reply}>
        {busy ? i18n.t('broadcasts.replying') : i18n.t('broadcasts.reply')}
      </button>
      <Refused refusal={refusal} />
    </section>
  );
}

/** The sender's display name (the broadcast's owner), once the conversation's details have loaded. */
function useSenderName(session: SecureSession, conversationId: string): string | undefined {
  const [name, setName] = useState<string | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    conversationDetail(session.http, conversationId).then(
      (detail) => {
        if (!cancelled) setName(detail.members.find((m) => m.role === 'owner')?.displayName);
      },
      // Without it the bar still works: the name is a courtesy, the reply finds the sender on the server.
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [session, conversationId]);
  return name;
}

/** The two refusals particular to a private reply (CONFLICT with a reason); the rest as the conversation screens. */
function replyRefusal(error: unknown, i18n: Translator): Refusal {
  if (error instanceof EnletsApiError && error.code === 'CONFLICT') {
    const reason = error.details?.['reason'];
    if (reason === 'sender_gone')
      return { message: i18n.t('broadcasts.error.senderGone'), code: 'CONFLICT: sender_gone' };
    if (reason === 'own_broadcast')
      return { message: i18n.t('broadcasts.error.own'), code: 'CONFLICT: own_broadcast' };
  }
  return conversationRefusal(error, i18n);
}
