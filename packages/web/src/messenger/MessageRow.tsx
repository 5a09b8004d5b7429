import { useEffect, useRef, useState, type ReactNode, type Ref } from 'react';
import { ImageThumbnail } from '../attachments/ImageThumbnail.js';
import { isPreviewable } from '../attachments/ImagePreviewDialog.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { MessageText } from '../messaging/MessageText.js';
import type { TimelineItem } from '../messaging/timeline.js';
import { safeName } from '../ui/safe-name.js';
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
  /** Absent where there is no composer to reply or edit in (a broadcast's recipients). */
  readonly onReply?: (item: TimelineItem) => void;
  readonly onEdit?: (item: TimelineItem) => void;
  readonly onReact: (item: TimelineItem, emoji: string) => void;
  readonly downloads: Downloads;
  /** For messages shared with this device when it joined: the display name of who shared them. */
  readonly sharedBy: string | undefined;
  /** The `<li>`, for the virtualized timeline's measurements. */
  readonly ref?: Ref<HTMLLIElement>;
  /** Its place among the rows loaded, and how many there are (-1 while older ones are not loaded). */
  readonly position?: number;
  readonly setSize?: number;
  /** For our own messages in small conversations: who read it, and whether another device stored it. */
  readonly receipt?: { readonly seenBy: readonly string[]; readonly delivered: boolean };
  readonly pinned?: boolean;
  /** What we may do with it here (server rules: own messages, or a channel's moderators). */
  readonly mayDelete?: boolean;
  readonly mayPin?: boolean;
  readonly onDelete?: (item: TimelineItem) => void;
  readonly onPin?: (item: TimelineItem, pinned: boolean) => void;
  readonly onForward?: (item: TimelineItem) => void;
  /** Opens the `index`th file (an image with a thumbnail) in the preview. */
  readonly onPreview?: (item: TimelineItem, index: number) => void;
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
  ref,
  position,
  setSize,
  receipt,
  pinned = false,
  mayDelete = false,
  mayPin = false,
  onDelete,
  onPin,
  onForward,
  onPreview,
}: MessageRowProps): ReactNode {
  const i18n = useI18n();
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  // The confirmation takes the focus; leaving it gives it back to the Delete button.
  useEffect(() => {
    if (confirmingDelete) confirmButton.current?.focus();
  }, [confirmingDelete]);
  const rowPosition = {
    ...(position === undefined ? {} : { 'aria-posinset': position }),
    ...(setSize === undefined ? {} : { 'aria-setsize': setSize }),
  };
  if (item.kind === 'system') {
    return (
      <li ref={ref} className="timeline-system" {...rowPosition}>
        {i18n.t('chat.systemEvent')}
      </li>
    );
  }
  const body = (): ReactNode => {
    switch (item.state) {
      case 'shown':
      case 'sending':
      case 'failed':
        return <MessageText text={item.text ?? ''} />;
      case 'deleted':
        return (
          <p className="message-text is-placeholder">
            {i18n.t(item.deletedByManager ? 'chat.deletedByManager' : 'chat.deleted')}
          </p>
        );
      case 'unavailable':
        return <p className="message-text is-placeholder">{i18n.t('chat.unavailable')}</p>;
      case 'unreadable':
        return <p className="message-text is-placeholder">{i18n.t('chat.unreadable')}</p>;
    }
  };
  const actionable = item.state === 'shown' && item.seq !== null;
  return (
    <li
      ref={ref}
      className={`message${own ? ' is-own' : ''}${pinned ? ' is-pinned' : ''} is-${item.state}`}
      data-seq={item.seq ?? undefined}
      {...rowPosition}
    >
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
            if (
              item.seq !== null &&
              onPreview !== undefined &&
              file.thumbnail !== undefined &&
              isPreviewable(file)
            )
              return (
                <li key={`${file.name}-${String(index)}`} className="message-file has-thumbnail">
                  <ImageThumbnail
                    name={file.name}
                    thumbnail={file.thumbnail}
                    onOpen={() => onPreview(item, index)}
                  />
                  <span>
                    <span className="file-name">{file.name}</span>{' '}
                    <span className="file-size">{i18n.formatBytes(file.size)}</span>
                  </span>
                </li>
              );
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
          {onReply !== undefined && (
            <button type="button" onClick={() => onReply(item)}>
              {i18n.t('chat.reply')}
            </button>
          )}
          {own && onEdit !== undefined && (
            <button type="button" onClick={() => onEdit(item)}>
              {i18n.t('chat.edit')}
            </button>
          )}
          {mayDelete && onDelete !== undefined && (
            <button
              type="button"
              ref={deleteButton}
              aria-expanded={confirmingDelete}
              onClick={() => setConfirmingDelete(true)}
            >
              {i18n.t('chat.delete')}
            </button>
          )}
          {mayPin && onPin !== undefined && (
            <button type="button" aria-pressed={pinned} onClick={() => onPin(item, !pinned)}>
              {i18n.t(pinned ? 'chat.unpin' : 'chat.pin')}
            </button>
          )}
          {onForward !== undefined && ((item.text !== null && item.text !== '') || item.files.length > 0) && (
            <button type="button" onClick={() => onForward(item)}>
              {i18n.t('chat.forward')}
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
      {actionable && confirmingDelete && onDelete !== undefined && (
        <div
          className="message-confirm"
          role="group"
          aria-label={i18n.t('chat.deleteConfirm')}
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            event.preventDefault();
            setConfirmingDelete(false);
            deleteButton.current?.focus();
          }}
        >
          <span>{i18n.t('chat.deleteConfirm')}</span>
          <button
            type="button"
            ref={confirmButton}
            className="danger-button"
            onClick={() => {
              setConfirmingDelete(false);
              onDelete(item);
            }}
          >
            {i18n.t('chat.deleteConfirmYes')}
          </button>
          <button
            type="button"
            onClick={() => {
              setConfirmingDelete(false);
              deleteButton.current?.focus();
            }}
          >
            {i18n.t('chat.keep')}
          </button>
        </div>
      )}
      {receipt !== undefined && item.state === 'shown' && (
        <p className="message-receipt">
          {receipt.seenBy.length > 0
            ? i18n.t('chat.seenBy', { names: receipt.seenBy.map((n) => safeName(n).text).join(', ') })
            : i18n.t(receipt.delivered ? 'chat.delivered' : 'chat.sent')}
        </p>
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
