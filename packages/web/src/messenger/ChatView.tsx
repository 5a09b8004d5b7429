import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ConversationSummary, Pin } from '@enlets/protocol';
import { ChatSecurity } from '../account/ChatSecurity.js';
import { ImagePreviewDialog } from '../attachments/ImagePreviewDialog.js';
import { BroadcastBar, isBroadcastRecipient } from '../broadcasts/BroadcastBar.js';
import { ConversationSettingsButton } from '../conversations/ConversationSettings.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import type { TimelineItem } from '../messaging/timeline.js';
import { Icon } from '../ui/icons.js';
import { safeName } from '../ui/safe-name.js';
import { SafeName } from '../ui/SafeName.js';
import { Composer, type ComposerMode } from './Composer.js';
import { ForwardDialog } from './ForwardDialog.js';
import { mentionsIn } from './mentions.js';
import { MessageRow } from './MessageRow.js';
import { SMALL_CONVERSATION, useChatSignals, type ChatSignals } from './use-chat-signals.js';
import { useDownloads } from './use-downloads.js';
import { useJoinState } from './use-join-state.js';
import { useTimeline } from './use-timeline.js';
import { VirtualTimeline } from './VirtualTimeline.js';
import '../styles/chat-features.css';

interface ChatViewProps {
  readonly session: SecureSession;
  readonly conversation: ConversationSummary;
  readonly title: string;
  readonly ownUserId: string;
  readonly onBack: () => void;
  readonly onSeen: (seq: number) => void;
  /** A message to bring into view and focus (a search result); a new object each time it is asked for. */
  readonly jumpTo?: { readonly seq: number } | undefined;
}

export function ChatView({
  session,
  conversation,
  title,
  ownUserId,
  onBack,
  onSeen,
  jumpTo,
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

  const signals = useChatSignals(session, conversation, timeline.members, ownUserId);
  const joinState = useJoinState(session, conversation);
  const [forwarding, setForwarding] = useState<TimelineItem | undefined>(undefined);
  const [previewing, setPreviewing] = useState<
    { readonly item: TimelineItem; readonly index: number } | undefined
  >(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  // The server's rules: anyone deletes their own; in channels (and groups) moderators anyone's; pins in
  // channels (and broadcasts) are the moderators', elsewhere anyone's; @channel in channels is the managers'.
  // A broadcast's recipients only read, react and forward: no composer to reply or edit in, and the server
  // refuses them deletes and pins whatever their role (domain/actions/events.ts). They reply privately instead.
  const readsOnly = isBroadcastRecipient(conversation);
  const moderator = conversation.role !== 'member';
  const mayModerate = conversation.kind !== 'direct' && moderator && !readsOnly;
  const mayPin =
    ((conversation.kind !== 'channel' && conversation.kind !== 'broadcast') || moderator) && !readsOnly;
  const mayMentionAll =
    conversation.kind === 'group' ||
    (conversation.kind === 'channel' && (conversation.role === 'owner' || conversation.role === 'manager'));
  const pinnedSeqs = useMemo(() => new Set(timeline.pins.map((p) => p.seq)), [timeline.pins]);

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
  const { send: sendNew, edit: sendEdit, react, sendFiles, members, remove, pin, forward } = timeline;
  const submit = useCallback(
    async (text: string, withFiles: readonly File[]) => {
      if (mode.kind === 'edit') await sendEdit(mode.seq, text);
      else if (withFiles.length > 0) {
        setFiles([]);
        await sendFiles(withFiles, text);
      } else
        await sendNew(text, {
          ...(mode.kind === 'reply' ? { replyToSeq: mode.seq } : {}),
          ...mentionsIn(text, members, ownUserId, mayMentionAll),
        });
      setMode({ kind: 'new' });
    },
    [mode, sendNew, sendEdit, sendFiles, members, ownUserId, mayMentionAll],
  );
  const onDelete = useCallback(
    (item: TimelineItem) => {
      if (item.seq === null) return;
      // The confirmation (and its focused button) goes with the message: the focus stays in the history.
      scroller.current?.focus({ preventScroll: true });
      remove(item.seq).catch(() => setNotice(i18n.t('chat.deleteFailed')));
    },
    [remove, i18n],
  );
  const onPin = useCallback(
    (item: TimelineItem, pinned: boolean) => {
      if (item.seq !== null) pin(item.seq, pinned).catch(() => undefined);
    },
    [pin],
  );
  const onForward = useCallback((item: TimelineItem) => setForwarding(item), []);
  const onPreview = useCallback((item: TimelineItem, index: number) => setPreviewing({ item, index }), []);
  const previewSeq = previewing?.item.seq;
  const previewFile = previewing?.item.files[previewing.index];
  const onReact = useCallback(
    (target: TimelineItem, emoji: string) => {
      if (target.seq !== null) void react(target.seq, emoji);
    },
    [react],
  );
  const itemKey = useCallback((item: TimelineItem) => item.key, []);
  const small = conversation.memberCount <= SMALL_CONVERSATION;
  const { readUpTo, deliveredUpTo } = signals;
  const setSize = timeline.hasOlder ? -1 : timeline.items.length;
  const renderRow = useCallback(
    (item: TimelineItem, position: number, ref: (element: HTMLLIElement | null) => void) => {
      const own = item.senderId === ownUserId;
      const seq = item.seq;
      return (
        <MessageRow
          key={item.key}
          ref={ref}
          position={position}
          setSize={setSize}
          item={item}
          own={own}
          sender={name(item.senderId)}
          replySender={item.replyTo === undefined ? undefined : name(item.replyTo.senderId)}
          {...(readsOnly ? {} : { onReply: reply, onEdit: edit })}
          onReact={onReact}
          downloads={downloads}
          sharedBy={item.sharedBy === undefined ? undefined : name(item.sharedBy)}
          {...(own && small && seq !== null
            ? { receipt: receiptOf(seq, readUpTo, deliveredUpTo, name) }
            : {})}
          pinned={seq !== null && pinnedSeqs.has(seq)}
          mayDelete={(own && !readsOnly) || mayModerate}
          mayPin={mayPin}
          onDelete={onDelete}
          onPin={onPin}
          onForward={onForward}
          onPreview={onPreview}
        />
      );
    },
    [
      ownUserId,
      setSize,
      name,
      readsOnly,
      reply,
      edit,
      onReact,
      downloads,
      small,
      readUpTo,
      deliveredUpTo,
      pinnedSeqs,
      mayModerate,
      mayPin,
      onDelete,
      onPin,
      onForward,
      onPreview,
    ],
  );

  // A search result further back than the first page: older pages are loaded down to it, then it is shown.
  const { status: timelineStatus, loadThrough } = timeline;
  useEffect(() => {
    if (jumpTo !== undefined && timelineStatus === 'ready') void loadThrough(jumpTo.seq);
  }, [jumpTo, timelineStatus, loadThrough]);
  const reveal = useMemo(
    () => (jumpTo === undefined ? undefined : { key: `seq-${String(jumpTo.seq)}` }),
    [jumpTo],
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
            {signals.presence !== undefined && (
              <span className={`presence presence-${signals.presence.availability}`}>
                {i18n.t(`chat.presence.${signals.presence.availability}`)}
                {signals.presence.text !== null && signals.presence.text !== '' && (
                  <>
                    {' — '}
                    <SafeName name={signals.presence.text} />
                  </>
                )}
              </span>
            )}
          </p>
          <PinnedMessages pins={timeline.pins} items={timeline.items} />
        </div>
        <ChatSecurity session={session} conversation={conversation} ownUserId={ownUserId} />
        <ConversationSettingsButton {...{ session, conversation, title, ownUserId }} onLeft={onBack} />
      </header>
      {notice !== undefined && (
        <p className="chat-notice" role="status">
          {notice}
        </p>
      )}
      <div
        className="chat-scroller"
        ref={scroller}
        role="log"
        // Focusable, so that the history scrolls from the keyboard (arrows, Page Up) like any scrolling region.
        tabIndex={0}
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
          <button
            type="button"
            className="load-older"
            disabled={timeline.loadingOlder}
            onClick={() => void timeline.loadOlder()}
          >
            {i18n.t(timeline.loadingOlder ? 'chat.loadingOlder' : 'chat.loadOlder')}
          </button>
        )}
        {timeline.status === 'ready' && timeline.items.length === 0 && (
          <p className="chat-status">{i18n.t('chat.empty')}</p>
        )}
        <VirtualTimeline
          items={timeline.items}
          itemKey={itemKey}
          renderRow={renderRow}
          scroller={scroller}
          hasOlder={timeline.status === 'ready' && timeline.hasOlder}
          onNearTop={() => void timeline.loadOlder()}
          reveal={reveal}
        />
      </div>
      <TypingIndicator typing={signals.typing} name={name} />
      <BroadcastBar session={session} conversation={conversation} />
      {!readsOnly && joinState === 'awaiting-welcome' && (
        <p className="chat-awaiting-welcome" role="status">
          {i18n.t('chat.awaitingWelcome')}
        </p>
      )}
      {!readsOnly && joinState === 'member' && (
        <Composer
          recipientName={title}
          inputRef={composer}
          mode={mode}
          onCancelMode={() => setMode({ kind: 'new' })}
          files={files}
          onAddFiles={addFiles}
          onRemoveFile={(index) => setFiles((current) => current.filter((_, i) => i !== index))}
          send={submit}
          members={members}
          ownUserId={ownUserId}
          mayMentionAll={mayMentionAll}
          onTyped={signals.typed}
        />
      )}
      {forwarding?.seq != null && (
        <ForwardDialog
          session={session}
          conversationId={conversation.id}
          ownUserId={ownUserId}
          fileCount={forwarding.files.length}
          forward={(target) => forward(forwarding.seq ?? 0, target)}
          onClose={(forwardedTo) => {
            setForwarding(undefined);
            setNotice(
              forwardedTo === undefined ? undefined : i18n.t('chat.forwarded', { name: forwardedTo }),
            );
          }}
        />
      )}
      {previewing !== undefined && previewSeq != null && previewFile !== undefined && (
        <ImagePreviewDialog
          session={session}
          conversationId={conversation.id}
          seq={previewSeq}
          index={previewing.index}
          file={previewFile}
          onClose={() => setPreviewing(undefined)}
        />
      )}
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

/** "Seen by" the members who read up to it; else "Delivered" once another member's device stored it. */
function receiptOf(
  seq: number,
  readUpTo: ReadonlyMap<string, number>,
  deliveredUpTo: ReadonlyMap<string, number>,
  name: (userId: string) => string,
): { readonly seenBy: readonly string[]; readonly delivered: boolean } {
  const seenBy = [...readUpTo].filter(([, upTo]) => upTo >= seq).map(([userId]) => name(userId));
  const delivered = seenBy.length > 0 || [...deliveredUpTo.values()].some((upTo) => upTo >= seq);
  return { seenBy, delivered };
}

/** The pinned messages, newest pin first, in the header: their text when loaded here. */
function PinnedMessages({
  pins,
  items,
}: {
  readonly pins: readonly Pin[];
  readonly items: readonly TimelineItem[];
}): ReactNode {
  const i18n = useI18n();
  const bySeq = useMemo(() => {
    const wanted = new Set(pins.map((p) => p.seq));
    return new Map(items.filter((i) => i.seq !== null && wanted.has(i.seq)).map((i) => [i.seq, i]));
  }, [pins, items]);
  if (pins.length === 0) return null;
  return (
    <section className="pinned-messages" aria-label={i18n.t('chat.pinnedHeading')}>
      <span className="pinned-label">{i18n.t('chat.pinnedHeading')}:</span>
      <ul>
        {[...pins]
          .sort((a, b) => b.pinnedAt - a.pinnedAt)
          .map((pin) => {
            const text = bySeq.get(pin.seq)?.text;
            return (
              <li key={pin.seq} className="pinned-message" dir="auto">
                {text == null || text === '' ? i18n.t('chat.pinnedUnavailable') : excerpt(text)}
              </li>
            );
          })}
      </ul>
    </section>
  );
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/gu, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** "Bruno is typing…" under the history, announced politely to screen readers. */
function TypingIndicator({
  typing,
  name,
}: {
  readonly typing: ChatSignals['typing'];
  readonly name: (userId: string) => string;
}): ReactNode {
  const i18n = useI18n();
  const names = typing.map((userId) => safeName(name(userId)).text).join(', ');
  return (
    <p className="typing-indicator" aria-live="polite">
      {typing.length === 0 ? '' : i18n.plural('chat.typing', typing.length, { names })}
    </p>
  );
}
