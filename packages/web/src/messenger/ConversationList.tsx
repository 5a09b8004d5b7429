import { memo, type ReactNode } from 'react';
import type { ConversationSummary } from '@enlets/protocol';
import { BroadcastMarker } from '../broadcasts/BroadcastMarker.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { Icon } from '../ui/icons.js';
import { SafeName } from '../ui/SafeName.js';
import { conversationTitle } from './conversation-title.js';
import type { Conversations } from './use-conversations.js';

interface ConversationListProps {
  readonly conversations: Conversations;
  readonly selectedId: string | undefined;
  readonly onSelect: (conversationId: string) => void;
}

export function ConversationList({ conversations, selectedId, onSelect }: ConversationListProps): ReactNode {
  const i18n = useI18n();
  const { state } = conversations;
  if (state.status === 'loading') {
    return (
      <p className="list-status" role="status">
        {i18n.t('conversations.loading')}
      </p>
    );
  }
  if (state.status === 'failed') {
    return (
      <div className="list-status" role="alert">
        <p>{i18n.t('conversations.loadFailed')}</p>
        <button type="button" onClick={conversations.reload}>
          {i18n.t('conversations.retry')}
        </button>
      </div>
    );
  }
  const active = state.conversations.filter((c) => !c.archived);
  const archived = state.conversations.filter((c) => c.archived);
  const rows = (list: readonly ConversationSummary[]): ReactNode => (
    <ul className="conversation-list">
      {list.map((conversation) => (
        <li key={conversation.id}>
          <ConversationRow
            conversation={conversation}
            title={conversationTitle(conversation, conversations.directNames, i18n)}
            selected={conversation.id === selectedId}
            onSelect={onSelect}
          />
        </li>
      ))}
    </ul>
  );
  return (
    <>
      {active.length === 0 && archived.length === 0 ? (
        <p className="list-status">{i18n.t('conversations.empty')}</p>
      ) : (
        rows(active)
      )}
      {archived.length > 0 && (
        <details className="archived-section">
          <summary>
            {i18n.t('conversations.archivedHeading')} ({i18n.formatNumber(archived.length)})
          </summary>
          {rows(archived)}
        </details>
      )}
    </>
  );
}

interface ConversationRowProps {
  readonly conversation: ConversationSummary;
  readonly title: string;
  readonly selected: boolean;
  readonly onSelect: (conversationId: string) => void;
}

// Memoized: opening a conversation changes one or two rows' props, not the other few hundred.
const ConversationRow = memo(function ConversationRow({
  conversation,
  title,
  selected,
  onSelect,
}: ConversationRowProps): ReactNode {
  const i18n = useI18n();
  const unread = conversation.unreadCount > 0 || conversation.markedUnread;
  return (
    <button
      type="button"
      id={`conversation-${conversation.id}`}
      className={`conversation-row${unread ? ' is-unread' : ''}`}
      aria-current={selected ? 'true' : undefined}
      onClick={() => onSelect(conversation.id)}
    >
      <span className="conversation-title">
        <SafeName name={title} />
      </span>
      <span className="conversation-meta">
        <BroadcastMarker kind={conversation.kind} />
        {conversation.favourite && (
          <span className="marker marker-favourite" title={i18n.t('conversations.favourite')}>
            <Icon name="star" />
            <span className="visually-hidden">{i18n.t('conversations.favourite')}</span>
          </span>
        )}
        {conversation.muted && (
          <span className="marker marker-muted" title={i18n.t('conversations.muted')}>
            <Icon name="muted" />
            <span className="visually-hidden">{i18n.t('conversations.muted')}</span>
          </span>
        )}
        {conversation.archived && (
          <span className="marker marker-archived" title={i18n.t('conversations.archived')}>
            <Icon name="archive" />
            <span className="visually-hidden">{i18n.t('conversations.archived')}</span>
          </span>
        )}
        <time className="conversation-time" dateTime={new Date(conversation.lastActivityAt).toISOString()}>
          {i18n.formatRecent(conversation.lastActivityAt)}
        </time>
      </span>
      <span className="conversation-counts">
        {conversation.mentionCount > 0 && (
          <span className="badge badge-mention">
            <span aria-hidden="true">@{i18n.formatNumber(conversation.mentionCount)}</span>
            <span className="visually-hidden">
              {i18n.plural('conversations.mentions', conversation.mentionCount)}
            </span>
          </span>
        )}
        {conversation.unreadCount > 0 && (
          <span className={`badge badge-unread${conversation.muted ? ' is-muted' : ''}`}>
            <span aria-hidden="true">{i18n.formatNumber(conversation.unreadCount)}</span>
            <span className="visually-hidden">
              {i18n.plural('conversations.unread', conversation.unreadCount)}
            </span>
          </span>
        )}
      </span>
    </button>
  );
});
