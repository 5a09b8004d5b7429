import type { ReactNode } from 'react';
import Markdown, { type Components, type Options } from 'react-markdown';
import rehypeSanitize from 'rehype-sanitize';
import { useI18n } from '../i18n/I18nProvider.js';
import { allowedLinkHref, linkTextShowsDestination } from './link-policy.js';
import { CHAT_SANITIZE_SCHEMA, rehypeChatMarkdown, textOf } from './markdown-policy.js';

/**
 * The Markdown renderer of message bodies, in its own chunk (MessageText.tsx loads it when a chat opens): the
 * parser and the sanitizer are most of its weight, and the sign-in screens do not need them.
 */

/** Ours first (refused constructs become typed text), then the sanitizer's allow-list. */
const REHYPE_PLUGINS: Options['rehypePlugins'] = [rehypeChatMarkdown, [rehypeSanitize, CHAT_SANITIZE_SCHEMA]];

/** react-markdown's last word on every URL attribute: only what the link policy allows survives. */
const urlTransform = (url: string): string => allowedLinkHref(url) ?? '';

const COMPONENTS: Components = {
  a: ({ href, node, children }) => (
    <ChatLink href={href} text={node === undefined ? '' : textOf(node)}>
      {children}
    </ChatLink>
  ),
};

/**
 * A message body as React elements, never an HTML string (the CSP's Trusted Types refuse those). `dir="auto"`
 * lets a right-to-left message lay itself out without reordering the rest of the row.
 */
export default function MarkdownBody({ text }: { readonly text: string }): ReactNode {
  return (
    <div className="message-text rich-text" dir="auto">
      <Markdown skipHtml rehypePlugins={REHYPE_PLUGINS} urlTransform={urlTransform} components={COMPONENTS}>
        {text}
      </Markdown>
    </div>
  );
}

interface ChatLinkProps {
  readonly href: string | undefined;
  /** What the link says, to tell whether it already shows where it goes. */
  readonly text: string;
  readonly children?: ReactNode;
}

/**
 * A link that opens in a new tab without giving that page a handle on ours, and that shows its real
 * destination: as its tooltip always, and beside it whenever the words differ from the address.
 */
function ChatLink({ href, text, children }: ChatLinkProps): ReactNode {
  const i18n = useI18n();
  const safe = href === undefined ? null : allowedLinkHref(href);
  // Unreachable after rehypeChatMarkdown and the sanitizer; if it ever is reached, no link.
  if (safe === null) return <span>{children}</span>;
  return (
    <>
      <a
        href={safe}
        title={i18n.t('richText.linkTitle', { url: safe })}
        target="_blank"
        rel="noopener noreferrer nofollow"
      >
        {children}
      </a>
      {!linkTextShowsDestination(text, safe) && (
        <span className="link-destination">
          <span className="visually-hidden">{i18n.t('richText.linkDestination')}</span>
          {safe}
        </span>
      )}
    </>
  );
}
