import {
  useEffect,
  useId,
  useRef,
  useState,
  type SyntheticEvent,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { Icon } from '../ui/icons.js';
import { SafeName } from '../ui/SafeName.js';
import {
  insertMention,
  MENTION_ALL,
  mentionQuery,
  suggestMentions,
  type MentionCandidate,
} from './mentions.js';
import '../styles/chat-features.css';

/** What the next Send does: a new message, a reply to a message, or a new text for one of ours. */
export type ComposerMode =
  | { readonly kind: 'new' }
  | { readonly kind: 'reply'; readonly seq: number; readonly sender: string; readonly excerpt: string }
  | { readonly kind: 'edit'; readonly seq: number; readonly text: string };

interface ComposerProps {
  readonly recipientName: string;
  readonly inputRef: RefObject<HTMLTextAreaElement | null>;
  readonly mode: ComposerMode;
  readonly onCancelMode: () => void;
  /** Files chosen or dropped, waiting for Send. */
  readonly files: readonly File[];
  readonly onAddFiles: (files: readonly File[]) => void;
  readonly onRemoveFile: (index: number) => void;
  readonly send: (text: string, files: readonly File[]) => Promise<void>;
  /** Who `@` suggests: the conversation's members (we are left out). */
  readonly members: readonly { readonly userId: string; readonly displayName: string }[];
  readonly ownUserId: string;
  /** Whether `@channel` is offered (in channels, managers only). */
  readonly mayMentionAll: boolean;
  /** Called as the text changes, with whether something is typed (for the others' "is typing…"). */
  readonly onTyped: (composing: boolean) => void;
}

/** The mention suggestions open under the field: for the `@` at `start`, with the highlighted option. */
interface Suggestions {
  readonly start: number;
  readonly options: readonly MentionCandidate[];
  readonly active: number;
}

/**
 * The message field: Enter sends, Shift+Enter adds a line, Escape leaves a reply or an edit; the text is kept
 * if queueing fails.
 */
export function Composer({
  recipientName,
  inputRef,
  mode,
  onCancelMode,
  files,
  onAddFiles,
  onRemoveFile,
  send,
  members,
  ownUserId,
  mayMentionAll,
  onTyped,
}: ComposerProps): ReactNode {
  const i18n = useI18n();
  const [text, setText] = useState('');
  const [failed, setFailed] = useState(false);
  const contextId = useId();
  // Editing starts from the message's current text.
  useEffect(() => {
    if (mode.kind === 'edit') setText(mode.text);
  }, [mode]);
  const sending = useRef(false);
  const hintId = useId();
  const fieldId = useId();
  const fileFieldId = useId();
  const listId = useId();
  const [suggestions, setSuggestions] = useState<Suggestions | undefined>(undefined);
  /** Where the caret goes after a mention was inserted (set once the new text is rendered). */
  const caretAfter = useRef<number | undefined>(undefined);
  useEffect(() => {
    const field = inputRef.current;
    if (caretAfter.current === undefined || field === null) return;
    field.setSelectionRange(caretAfter.current, caretAfter.current);
    caretAfter.current = undefined;
  }, [text, inputRef]);

  const suggest = (value: string, caret: number): void => {
    const found = mentionQuery(value, caret);
    if (found === undefined) {
      setSuggestions(undefined);
      return;
    }
    const options = suggestMentions(members, found.query, ownUserId);
    const everyone =
      mayMentionAll && MENTION_ALL.startsWith(found.query.toLocaleLowerCase())
        ? [{ userId: MENTION_ALL, name: MENTION_ALL }]
        : [];
    const all = [...options, ...everyone];
    setSuggestions(all.length === 0 ? undefined : { start: found.start, options: all, active: 0 });
  };
  const choose = (option: MentionCandidate): void => {
    const field = inputRef.current;
    if (suggestions === undefined || field === null) return;
    const inserted = insertMention(text, suggestions.start, field.selectionStart, option.name);
    caretAfter.current = inserted.caret;
    setText(inserted.text);
    setSuggestions(undefined);
    field.focus();
  };
  const withFiles = mode.kind !== 'edit' && files.length > 0;

  const submit = async (): Promise<void> => {
    const message = text.trim();
    if ((message === '' && !withFiles) || sending.current) return;
    sending.current = true;
    try {
      await send(message, withFiles ? files : []);
      setText('');
      setSuggestions(undefined);
      onTyped(false);
    } catch {
      // Not queued (it could not even be encrypted, e.g. a first message while offline): the text stays here.
      setFailed(true);
    } finally {
      sending.current = false;
    }
  };

  const onSubmit = (event: SyntheticEvent): void => {
    event.preventDefault();
    void submit();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (suggestions !== undefined && !event.nativeEvent.isComposing) {
      const count = suggestions.options.length;
      const move = (by: number): void =>
        setSuggestions({ ...suggestions, active: (suggestions.active + by + count) % count });
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        move(event.key === 'ArrowDown' ? 1 : -1);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        const option = suggestions.options[suggestions.active];
        if (option !== undefined) {
          event.preventDefault();
          choose(option);
          return;
        }
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setSuggestions(undefined);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    } else if (event.key === 'Escape' && mode.kind !== 'new') {
      event.preventDefault();
      if (mode.kind === 'edit') setText('');
      onCancelMode();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      {mode.kind !== 'new' && (
        <p id={contextId} className="composer-context">
          <span>
            {mode.kind === 'reply'
              ? i18n.t('chat.replyingTo', { name: mode.sender, excerpt: mode.excerpt })
              : i18n.t('chat.editing')}
          </span>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              if (mode.kind === 'edit') setText('');
              onCancelMode();
            }}
          >
            {i18n.t('chat.cancel')}
          </button>
        </p>
      )}
      <label htmlFor={fieldId} className="visually-hidden">
        {i18n.t('chat.composerLabel', { name: recipientName })}
      </label>
      <textarea
        id={fieldId}
        ref={inputRef}
        rows={2}
        value={text}
        aria-describedby={mode.kind === 'new' ? hintId : `${contextId} ${hintId}`}
        aria-autocomplete="list"
        aria-controls={suggestions === undefined ? undefined : listId}
        aria-activedescendant={
          suggestions === undefined ? undefined : `${listId}-${String(suggestions.active)}`
        }
        onChange={(event) => {
          setText(event.target.value);
          setFailed(false);
          suggest(event.target.value, event.target.selectionStart);
          onTyped(event.target.value.trim() !== '');
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setSuggestions(undefined)}
      />
      {suggestions !== undefined && (
        <ul
          id={listId}
          role="listbox"
          className="mention-suggestions"
          aria-label={i18n.t('chat.mentionSuggestions')}
        >
          {suggestions.options.map((option, index) => (
            <li
              key={option.userId}
              id={`${listId}-${String(index)}`}
              role="option"
              aria-selected={index === suggestions.active}
              className={index === suggestions.active ? 'mention-option is-active' : 'mention-option'}
              // Chosen before the field loses the focus (and with it the suggestions).
              onMouseDown={(event) => {
                event.preventDefault();
                choose(option);
              }}
            >
              @<SafeName name={option.name} />
              {option.userId === MENTION_ALL && (
                <span className="mention-hint"> — {i18n.t('chat.mentionAll')}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {withFiles && (
        <ul className="composer-files" aria-label={i18n.t('chat.filesToSend')}>
          {files.map((file, index) => (
            <li key={`${file.name}-${String(index)}`}>
              <span className="file-name">{file.name}</span>{' '}
              <span className="file-size">{i18n.formatBytes(file.size)}</span>
              <button
                type="button"
                className="link-button"
                aria-label={i18n.t('chat.removeFile', { name: file.name })}
                onClick={() => onRemoveFile(index)}
              >
                {i18n.t('chat.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {mode.kind !== 'edit' && (
        <div className="composer-attach">
          <input
            id={fileFieldId}
            className="visually-hidden"
            type="file"
            multiple
            onChange={(event) => {
              onAddFiles([...(event.target.files ?? [])]);
              event.target.value = '';
            }}
          />
          <label htmlFor={fileFieldId} className="attach-button">
            {i18n.t('chat.attach')}
          </label>
        </div>
      )}
      {failed && (
        <p className="composer-error" role="alert">
          {i18n.t('chat.couldNotQueue')}
        </p>
      )}
      <p id={hintId} className="composer-hint">
        {i18n.t('chat.composerHint')}
      </p>
      <button type="submit" className="send-button" disabled={text.trim() === '' && !withFiles}>
        <Icon name="send" />
        <span>{mode.kind === 'edit' ? i18n.t('chat.saveEdit') : i18n.t('chat.send')}</span>
      </button>
    </form>
  );
}
