import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { ConversationDetail, ConversationSummary } from '@enlets/protocol';
import { SecureSessionError, type SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import { SafeName } from '../ui/SafeName.js';
import { conversationTitle } from './conversation-title.js';
import { useModalDialog } from '../ui/use-modal-dialog.js';

interface ForwardDialogProps {
  readonly session: SecureSession;
  /** The conversation the message is in (not offered as a target). */
  readonly conversationId: string;
  readonly ownUserId: string;
  /** How many files the message carries: they go with it (the same encrypted blobs). */
  readonly fileCount?: number;
  /** Forwards into the chosen conversation; rejects with the server's refusal. */
  readonly forward: (targetConversationId: string) => Promise<unknown>;
  /** Closed: `forwardedTo` is the target's name when the message went. */
  readonly onClose: (forwardedTo?: string) => void;
}

interface Target {
  readonly conversation: ConversationSummary;
  readonly title: string;
}

/**
 * Where to forward a message: the person's other conversations with their markings. The message is
 * re-encrypted for the target in the worker; the server applies the TLP rules, and a refusal says which one
 * applied, here, so another target can be chosen.
 */
export function ForwardDialog({
  session,
  conversationId,
  ownUserId,
  fileCount = 0,
  forward,
  onClose,
}: ForwardDialogProps): ReactNode {
  const i18n = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const [targets, setTargets] = useState<readonly Target[] | undefined>(undefined);
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useModalDialog(dialog);

  useEffect(() => {
    let cancelled = false;
    void loadTargets(session, conversationId, ownUserId, i18n).then((loaded) => {
      if (!cancelled) setTargets(loaded);
    });
    return () => {
      cancelled = true;
    };
  }, [session, conversationId, ownUserId, i18n]);

  const choose = async (target: Target): Promise<void> => {
    setBusy(true);
    setRefusal(undefined);
    try {
      await forward(target.conversation.id);
      onClose(target.title);
    } catch (error) {
      setRefusal(i18n.t('chat.forwardFailed', { reason: refusalReason(error, i18n) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="forward-dialog"
      aria-labelledby={headingId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={headingId}>{i18n.t('chat.forwardTitle')}</h2>
      {fileCount > 0 && <p>{i18n.plural('attachments.forwardFiles', fileCount)}</p>}
      {targets === undefined && <p role="status">{i18n.t('chat.forwardLoading')}</p>}
      {targets?.length === 0 && <p>{i18n.t('chat.forwardNone')}</p>}
      {targets !== undefined && targets.length > 0 && (
        <ul className="forward-targets">
          {targets.map((target) => (
            <li key={target.conversation.id}>
              <button type="button" disabled={busy} onClick={() => void choose(target)}>
                <SafeName name={target.title} />{' '}
                <span className={`tlp tlp-${target.conversation.tlp.toLowerCase().replace('+', '-')}`}>
                  {i18n.t('chat.tlp', { level: target.conversation.tlp })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {refusal !== undefined && (
        <p className="forward-refusal" role="alert">
          {refusal}
        </p>
      )}
      <button type="button" className="link-button" onClick={() => onClose()}>
        {i18n.t('chat.cancel')}
      </button>
    </dialog>
  );
}

async function loadTargets(
  session: SecureSession,
  conversationId: string,
  ownUserId: string,
  i18n: Translator,
): Promise<readonly Target[]> {
  try {
    const all = (await session.listConversations()).filter((c) => c.id !== conversationId && !c.archived);
    // 1:1 conversations are named after the other person, who is only in the detail.
    const directNames = new Map<string, string>();
    await Promise.all(
      all
        .filter((c) => c.kind === 'direct')
        .map(async (c) => {
          const detail = await session.http.get<ConversationDetail>(`/conversations/${c.id}`);
          const other = detail.members.find((m) => m.userId !== ownUserId);
          if (other !== undefined) directNames.set(c.id, other.displayName);
        }),
    );
    return all.map((conversation) => ({
      conversation,
      title: conversationTitle(conversation, directNames, i18n),
    }));
  } catch {
    return [];
  }
}

const TLP_RULES = {
  red_no_forward: 'chat.tlpRule.red_no_forward',
  target_marked_lower: 'chat.tlpRule.target_marked_lower',
  strict_to_guests: 'chat.tlpRule.strict_to_guests',
} as const;

/** Which TLP rule refused the forward, in the reader's language; the server's message for anything else. */
function refusalReason(error: unknown, i18n: Translator): string {
  if (!(error instanceof SecureSessionError)) return error instanceof Error ? error.message : String(error);
  const rule = error.details?.['rule'];
  if (error.code === 'TLP_VIOLATION' && typeof rule === 'string' && rule in TLP_RULES) {
    const text = (key: string): string => {
      const value = error.details?.[key];
      return typeof value === 'string' ? value : '';
    };
    return i18n.t(TLP_RULES[rule as keyof typeof TLP_RULES], {
      messageTlp: text('messageTlp'),
      targetTlp: text('targetTlp'),
    });
  }
  return error.message;
}
