import { useEffect, useRef, type ReactNode } from 'react';
import type { MessengerSession } from '@enlets/client';
import type { ConversationSummary } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import type { TimelineItem } from '../messaging/timeline.js';
import { Icon } from '../ui/icons.js';
import { Composer } from './Composer.js';
import { useTimeline } from './use-timeline.js';

interface ChatViewProps {
  readonly session: MessengerSession;
  readonly conversation: ConversationSummary;
  readonly title: string;
  readonly ownUserId: string;
  readonly onBack: () => void;
  readonly onSeen: (seq: number) => void;
}

export function ChatView({
  session,
  conversation,
  title,
  ownUserId,
  onBack,
  onSeen,
}: ChatViewProps): ReactNode {
  const i18n = useI18n();
  const timeline = useTimeline(session, conversation.id, ownUserId);
  const scroller = useRef<HTMLDivElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);

  // Opening a conversation puts the cursor where people start: the message field.
  useEffect(() => {
    composer.current?.focus();
  }, [conversation.id]);

  // Keep the newest message in view as messages arrive.
  const count = timeline.items.length;
  useEffect(() => {
    const element = scroller.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  }, [count]);

  // What is on screen counts as read.
  const { latestSeq } = timeline;
  useEffect(() => {
    if (latestSeq > conversation.lastReadSeq) onSeen(latestSeq);
  }, [latestSeq, conversation.lastReadSeq, onSeen]);

  return (
    <section className="chat" aria-labelledby="chat-title">
      <header className="chat-header">
        <button type="button" className="back-button" onClick={onBack}>
          <Icon name="back" />
          <span className="visually-hidden">{i18n.t('chat.back')}</span>
        </button>
        <div className="chat-heading">
          <h2 id="chat-title">{title}</h2>
          <p className="chat-subtitle">
            <span className={`tlp tlp-${conversation.tlp.toLowerCase().replace('+', '-')}`}>
              {i18n.t('chat.tlp', { level: conversation.tlp })}
            </span>
            <span>{i18n.plural('conversations.members', conversation.memberCount)}</span>
          </p>
        </div>
      </header>
      <div
        className="chat-scroller"
        ref={scroller}
        role="log"
        aria-label={i18n.t('chat.history', { name: title })}
      >
        {timeline.status === 'loading' && (
          <p className="chat-status" role="status">
            {i18n.t('chat.loading')}
          </p>
        )}
        {timeline.status === 'failed' && (
          <p className="chat-status" role="alert">
            {i18n.t('chat.loadFailed')}
          </p>
        )}
        {timeline.status === 'ready' && timeline.hasOlder && (
          <button type="button" className="load-older" onClick={timeline.loadOlder}>
            {i18n.t('chat.loadOlder')}
          </button>
        )}
        {timeline.status === 'ready' && timeline.items.length === 0 && (
          <p className="chat-status">{i18n.t('chat.empty')}</p>
        )}
        <ol className="timeline">
          {timeline.items.map((item) => (
            <MessageRow
              key={item.key}
              item={item}
              own={item.senderId === ownUserId}
              sender={senderName(item, ownUserId, timeline.names, i18n)}
            />
          ))}
        </ol>
      </div>
      <Composer recipientName={title} inputRef={composer} send={timeline.send} />
    </section>
  );
}

function senderName(
  item: TimelineItem,
  ownUserId: string,
  names: ReadonlyMap<string, string>,
  i18n: Translator,
): string {
  if (item.senderId === ownUserId) return i18n.t('chat.you');
  return (item.senderId === null ? undefined : names.get(item.senderId)) ?? i18n.t('chat.formerMember');
}

function MessageRow({
  item,
  own,
  sender,
}: {
  readonly item: TimelineItem;
  readonly own: boolean;
  readonly sender: string;
}): ReactNode {
  const i18n = useI18n();
  if (item.kind === 'system') {
    return <li className="timeline-system">{i18n.t('chat.systemEvent')}</li>;
  }
  const body = (): ReactNode => {
    switch (item.state) {
      case 'shown':
      case 'sending':
      case 'failed':
        return <p className="message-text">{item.text}</p>;
      case 'deleted':
        return <p className="message-text is-placeholder">{i18n.t('chat.deleted')}</p>;
      case 'unreadable':
        return <p className="message-text is-placeholder">{i18n.t('chat.unreadable')}</p>;
    }
  };
  return (
    <li className={`message${own ? ' is-own' : ''} is-${item.state}`} data-seq={item.seq ?? undefined}>
      <p className="message-meta">
        <span className="message-sender">{sender}</span>{' '}
        <time dateTime={new Date(item.createdAt).toISOString()} title={i18n.formatDateTime(item.createdAt)}>
          {i18n.formatTime(item.createdAt)}
        </time>
        {item.edited && <span className="message-edited"> · {i18n.t('chat.edited')}</span>}
      </p>
      {body()}
      {item.state === 'sending' && (
        <p className="message-status" role="status">
          {i18n.t('chat.sending')}
        </p>
      )}
      {item.state === 'failed' && (
        <p className="message-status is-error" role="alert">
          {i18n.t('chat.notSent', { reason: item.failure ?? '' })}
        </p>
      )}
    </li>
  );
}
