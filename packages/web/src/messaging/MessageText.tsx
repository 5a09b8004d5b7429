import { Component, lazy, memo, Suspense, type ReactNode } from 'react';
import { rendersAsMarkdown } from './markdown-policy.js';
import '../styles/rich-text.css';

const loadMarkdownBody = () => import('./MarkdownBody.js');
const MarkdownBody = lazy(loadMarkdownBody);

/**
 * Fetches the Markdown renderer ahead of the first opened chat (call when the browser is idle after the list
 * shows), so opening a conversation does not wait for the chunk.
 */
export function preloadMessageText(): void {
  void loadMarkdownBody().catch(() => undefined);
}

interface MessageTextProps {
  readonly text: string;
}

/**
 * A message body: Markdown (MarkdownBody.tsx), with raw HTML, images and refused links shown as the text that was
 * typed. Until the renderer's chunk has loaded, and for a body too large or too convoluted for Markdown, or one
 * the renderer fails on, the plain text: one message must never take the conversation down.
 */
export const MessageText = memo(function MessageText({ text }: MessageTextProps): ReactNode {
  const plain = <PlainText text={text} />;
  if (!rendersAsMarkdown(text)) return plain;
  if (PLAIN_LINE.test(text)) return <PlainParagraph text={text} />;
  return (
    <FallBackOnError fallback={plain}>
      <Suspense fallback={plain}>
        <MarkdownBody text={text} />
      </Suspense>
    </FallBackOnError>
  );
});

/**
 * One line in which Markdown finds nothing to act on: no character it treats specially, nothing at the start that
 * opens a block (list, heading, quote, code, rule), no surrounding blanks. Most chat messages are like this, and
 * a long timeline mounts rows as it scrolls: these skip the parser (about a millisecond each).
 */
const PLAIN_LINE = /^(?![\s\d+*>#=_|~`<-])[^\n\r\0\\`*_[\]<&]+(?<!\s)$/u;

/** Exactly the elements MarkdownBody renders for such a line. */
function PlainParagraph({ text }: MessageTextProps): ReactNode {
  return (
    <div className="message-text rich-text" dir="auto">
      <p>{text}</p>
    </div>
  );
}

function PlainText({ text }: MessageTextProps): ReactNode {
  return (
    <p className="message-text" dir="auto">
      {text}
    </p>
  );
}

interface FallBackOnErrorProps {
  readonly fallback: ReactNode;
  readonly children: ReactNode;
}

/** React catches a render error (or a chunk that fails to load) only in a class component's boundary. */
class FallBackOnError extends Component<FallBackOnErrorProps, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
