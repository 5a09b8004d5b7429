import type { ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { MessageText } from '../messaging/MessageText.js';
import type { TimelineItem } from '../messaging/timeline.js';
import { SafeName } from '../ui/SafeName.js';
import { downloadKey, type Downloads } from './use-downloads.js';

/** The reactions offered on every message: few, unambiguous, for operational chat. */
export const QUICK_REACTIONS = ['👍', '✅', '👀', '❗'] as const;

interface MessageRowProps {
  readonly item: TimelineItem;
  readonly own: boolean;
  readonly sender: string;
  /** The display name of the author of the message replied to. */
  readonly replySender: string | undefined;
  readonly onReply: (item: TimelineItem) => void;
  readonly onEdit: (item: TimelineItem) => void;
  readonly onReact: (item: TimelineItem, emoji: string) => void;
  readonly downloads: Downloads;
  /** For messages shared with this device when it joined: the display name of who shared them. */
  readonly sharedBy: string | undefined;
}

/** One message: who and when, the reply it answers, its text or why it cannot be shown, reactions, actions. */
export function MessageRow({
  item,
  own,
  sender,
  replySender,
  onReply,
  onEdit,
  onReact,
  downloads,
  sharedBy,
}: MessageRowProps): ReactNode {
  const i18n = useI18n();
  if (item.kind === 'system') {
    return <li className="timeline-system">{i18n.t('chat.systemEvent')}</li>;
  }
  const body = (): ReactNode => {
    switch (item.state) {
      case 'shown':
      case 'sending':
      case 'failed':
        return <MessageText text={item.text ?? ''} />;
      case 'deleted':
        return <p className="message-text is-placeholder">{i18n.t('chat.deleted')}</p>;
      case 'unavailable':
        return <p className="message-text is-placeholder">{i18n.t('chat.unavailable')}</p>;
      case 'unreadable':
        return <p className="message-text is-placeholder">{i18n.t('chat.unreadable')}</p>;
    }
  };
  const actionable = item.state === 'shown' && item.seq !== null;
  return (
    <li className={`message${own ? ' is-own' : ''} is-${item.state}`} data-seq={item.seq ?? undefined}>
      <p className="message-meta">
        <span className="message-sender">
          <SafeName name={sender} />
        </span>{' '}
        <time dateTime={new Date(item.createdAt).toISOString()} title={i18n.formatDateTime(item.createdAt)}>
          {i18n.formatTime(item.createdAt)}
        </time>
        {item.edited && <span className="message-edited"> · {i18n.t('chat.edited')}</span>}
        {sharedBy !== undefined && (
          <span className="message-shared"> · {i18n.t('chat.sharedBy', { name: sharedBy })}</span>
        )}
      </p>
      {item.replyTo !== undefined && (
        <blockquote className="message-reply">
          <span className="message-reply-sender">
            {i18n.t('chat.inReplyTo', { name: replySender ?? i18n.t('chat.formerMember') })}
          </span>{' '}
          <span className="message-reply-text">{item.replyTo.text ?? i18n.t('chat.replyUnavailable')}</span>
        </blockquote>
      )}
      {body()}
      {item.files.length > 0 && (
        <ul className="message-files" aria-label={i18n.t('chat.files')}>
          {item.files.map((file, index) => {
            const state = item.seq === null ? undefined : downloads.states.get(downloadKey(item.seq, index));
            return (
              <li key={`${file.name}-${String(index)}`} className="message-file">
                <span className="file-name">{file.name}</span>{' '}
                <span className="file-size">{i18n.formatBytes(file.size)}</span>
                {item.seq !== null && state?.failure === undefined && state !== undefined && (
                  <progress
                    max={1}
                    value={state.progress}
                    aria-label={i18n.t('chat.downloading', { name: file.name })}
                  />
                )}
                {item.seq !== null && state === undefined && (
                  <button
                    type="button"
                    aria-label={i18n.t('chat.downloadFile', { name: file.name })}
                    onClick={() => {
                      if (item.seq !== null) downloads.download(item.seq, index, file.name);
                    }}
                  >
                    {i18n.t('chat.download')}
                  </button>
                )}
                {state?.failure !== undefined && (
                  <span className="message-status is-error" role="alert">
                    {i18n.t('chat.downloadFailed', { name: file.name })}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {item.progress !== undefined && (
        <progress
          className="upload-progress"
          max={1}
          value={item.progress}
          aria-label={i18n.t('chat.uploading')}
        />
      )}
      {item.reactions.length > 0 && (
        <ul className="reactions" aria-label={i18n.t('chat.reactions')}>
          {item.reactions.map((reaction) => (
            <li key={reaction.emoji} className={reaction.mine ? 'reaction is-mine' : 'reaction'}>
              <span aria-hidden="true">
                {reaction.emoji} {reaction.count}
              </span>
              <span className="visually-hidden">
                {i18n.plural(
                  reaction.mine ? 'chat.reactionCountMine' : 'chat.reactionCount',
                  reaction.count,
                  {
                    emoji: reaction.emoji,
                  },
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {actionable && (
        <div className="message-actions">
          <button type="button" onClick={() => onReply(item)}>
            {i18n.t('chat.reply')}
          </button>
          {own && (
            <button type="button" onClick={() => onEdit(item)}>
              {i18n.t('chat.edit')}
            </button>
          )}
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              className="reaction-button"
              aria-label={i18n.t('chat.reactWith', { emoji })}
              onClick={() => onReact(item, emoji)}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
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
