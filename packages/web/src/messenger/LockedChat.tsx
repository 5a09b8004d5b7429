import { useId, type ReactNode } from 'react';
import type { ConversationSummary } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import { Icon } from '../ui/icons.js';
import { SafeName } from '../ui/SafeName.js';

interface LockedChatProps {
  readonly conversation: ConversationSummary;
  readonly title: string;
  readonly onBack: () => void;
}

/**
 * A conversation opened while this browser's keys are locked (SecureGate): what the list already shows about it,
 * no message, and a composer that cannot be used. Nothing here asks the secure worker for anything: the
 * messages and the sending are ChatView's, which is shown only once the keys are open.
 */
export function LockedChat({ conversation, title, onBack }: LockedChatProps): ReactNode {
  const i18n = useI18n();
  const ids = { title: useId(), locked: useId(), field: useId() };
  return (
    <section className="chat chat-locked" aria-labelledby={ids.title}>
      <header className="chat-header">
        <button type="button" className="back-button" onClick={onBack}>
          <Icon name="back" />
          <span className="visually-hidden">{i18n.t('chat.back')}</span>
        </button>
        <div className="chat-heading">
          <h2 id={ids.title}>
            <SafeName name={title} />
          </h2>
          <p className="chat-subtitle">
            <span className={`tlp tlp-${conversation.tlp.toLowerCase().replace('+', '-')}`}>
              {i18n.t('chat.tlp', { level: conversation.tlp })}
            </span>
            <span>{i18n.plural('conversations.members', conversation.memberCount)}</span>
          </p>
        </div>
      </header>
      <p id={ids.locked} className="chat-placeholder chat-locked-notice">
        <Icon name="lock" /> {i18n.t('chat.locked')}
      </p>
      <div className="composer">
        <label htmlFor={ids.field} className="visually-hidden">
          {i18n.t('chat.composerLabel', { name: title })}
        </label>
        <textarea id={ids.field} rows={2} disabled aria-describedby={ids.locked} />
        <button type="button" className="send-button" disabled>
          <Icon name="send" />
          {i18n.t('chat.send')}
        </button>
      </div>
    </section>
  );
}
