import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ConversationSummary } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import type { TimelineItem } from '../messaging/timeline.js';
import { Icon } from '../ui/icons.js';
import { SafeName } from '../ui/SafeName.js';
import { Composer, type ComposerMode } from './Composer.js';
import { MessageRow } from './MessageRow.js';
import { useDownloads } from './use-downloads.js';
import { useTimeline } from './use-timeline.js';

interface ChatViewProps {
  readonly session: SecureSession;
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
  const [mode, setMode] = useState<ComposerMode>({ kind: 'new' });
  const [files, setFiles] = useState<readonly File[]>([]);
  const [dragging, setDragging] = useState(false);
  const downloads = useDownloads(session, conversation.id);
  const addFiles = useCallback((added: readonly File[]) => {
    if (added.length > 0) setFiles((current) => [...current, ...added]);
  }, []);

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

  const name = useCallback(
    (senderId: string | null) => senderName(senderId, ownUserId, timeline.names, i18n),
    [ownUserId, timeline.names, i18n],
  );
  const reply = useCallback(
    (item: TimelineItem) => {
      if (item.seq === null) return;
      setMode({ kind: 'reply', seq: item.seq, sender: name(item.senderId), excerpt: item.text ?? '' });
      composer.current?.focus();
    },
    [name],
  );
  const edit = useCallback((item: TimelineItem) => {
    if (item.seq === null || item.text === null) return;
    setMode({ kind: 'edit', seq: item.seq, text: item.text });
    composer.current?.focus();
  }, []);
  const { send: sendNew, edit: sendEdit, react, sendFiles } = timeline;
  const submit = useCallback(
    async (text: string, withFiles: readonly File[]) => {
      if (mode.kind === 'edit') await sendEdit(mode.seq, text);
      else if (withFiles.length > 0) {
        setFiles([]);
        await sendFiles(withFiles, text);
      } else await sendNew(text, mode.kind === 'reply' ? { replyToSeq: mode.seq } : {});
      setMode({ kind: 'new' });
    },
    [mode, sendNew, sendEdit, sendFiles],
  );

  // What is on screen counts as read.
  const { latestSeq } = timeline;
  useEffect(() => {
    if (latestSeq > conversation.lastReadSeq) onSeen(latestSeq);
  }, [latestSeq, conversation.lastReadSeq, onSeen]);

  return (
    <section
      className={dragging ? 'chat is-dropping' : 'chat'}
      aria-labelledby="chat-title"
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(event) => {
        if (event.currentTarget === event.target) setDragging(false);
      }}
      onDrop={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        setDragging(false);
        addFiles([...event.dataTransfer.files]);
        composer.current?.focus();
      }}
    >
      <header className="chat-header">
        <button type="button" className="back-button" onClick={onBack}>
          <Icon name="back" />
          <span className="visually-hidden">{i18n.t('chat.back')}</span>
        </button>
        <div className="chat-heading">
          <h2 id="chat-title">
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
              sender={name(item.senderId)}
              replySender={item.replyTo === undefined ? undefined : name(item.replyTo.senderId)}
              onReply={reply}
              onEdit={edit}
              onReact={(target, emoji) => {
                if (target.seq !== null) void react(target.seq, emoji);
              }}
              downloads={downloads}
              sharedBy={item.sharedBy === undefined ? undefined : name(item.sharedBy)}
            />
          ))}
        </ol>
      </div>
      <Composer
        recipientName={title}
        inputRef={composer}
        mode={mode}
        onCancelMode={() => setMode({ kind: 'new' })}
        files={files}
        onAddFiles={addFiles}
        onRemoveFile={(index) => setFiles((current) => current.filter((_, i) => i !== index))}
        send={submit}
      />
    </section>
  );
}

function senderName(
  senderId: string | null,
  ownUserId: string,
  names: ReadonlyMap<string, string>,
  i18n: Translator,
): string {
  if (senderId === ownUserId) return i18n.t('chat.you');
  return (senderId === null ? undefined : names.get(senderId)) ?? i18n.t('chat.formerMember');
}
