import {
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

interface ComposerProps {
  readonly recipientName: string;
  readonly inputRef: RefObject<HTMLTextAreaElement | null>;
  readonly send: (text: string) => Promise<void>;
}

/** The message field: Enter sends, Shift+Enter adds a line; the text is kept if queueing fails. */
export function Composer({ recipientName, inputRef, send }: ComposerProps): ReactNode {
  const i18n = useI18n();
  const [text, setText] = useState('');
  const sending = useRef(false);
  const hintId = useId();
  const fieldId = useId();

  const submit = async (): Promise<void> => {
    const message = text.trim();
    if (message === '' || sending.current) return;
    sending.current = true;
    try {
      await send(message);
      setText('');
    } finally {
      sending.current = false;
    }
  };

  const onSubmit = (event: SyntheticEvent): void => {
    event.preventDefault();
    void submit();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={fieldId} className="visually-hidden">
        {i18n.t('chat.composerLabel', { name: recipientName })}
      </label>
      <textarea
        id={fieldId}
        ref={inputRef}
        rows={2}
        value={text}
        aria-describedby={hintId}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <p id={hintId} className="composer-hint">
        {i18n.t('chat.composerHint')}
      </p>
      <button type="submit" className="send-button" disabled={text.trim() === ''}>
        <Icon name="send" />
        <span>{i18n.t('chat.send')}</span>
      </button>
    </form>
  );
}
