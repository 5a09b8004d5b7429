import type { Element, ElementContent, Root, RootContent, Text } from 'hast';
import type { Options as SanitizeSchema } from 'rehype-sanitize';
import type { VFile } from 'vfile';
import { allowedLinkHref } from './link-policy.js';

/**
 * What Markdown in a message may become, and how the rest is shown. Operational chat needs paragraphs, line
 * breaks, emphasis, code, lists, quotes and links — nothing that fetches, runs, styles or positions anything.
 * Two layers: `rehypeChatMarkdown` turns what we refuse into the text that was typed (so the reader sees exactly
 * what the sender wrote), then rehype-sanitize with `CHAT_SANITIZE_SCHEMA` keeps only the allow-list, whatever
 * the first layer missed.
 */

/**
 * Beyond these, a body is shown as plain text: CommonMark parsing is quadratic on piles of delimiters (4,000 `*`
 * take over a second; 2,000 nested `>` overflow the stack), and no chat message needs either to be readable.
 */
export const MARKDOWN_MAX_LENGTH = 4_000;
const DELIMITER_PILE = /(?:[*_`~[\]()<>!#+\-=|]\s*){100}/;

/** Whether a body is rendered as Markdown, or shown as the plain text it is. */
export function rendersAsMarkdown(text: string): boolean {
  return text.length <= MARKDOWN_MAX_LENGTH && !DELIMITER_PILE.test(text);
}

/** Elements a message may contain, after headings became emphasized paragraphs. */
const ALLOWED_TAGS = [
  'p',
  'br',
  'em',
  'strong',
  'code',
  'pre',
  'ul',
  'ol',
  'li',
  'blockquote',
  'a',
  'hr',
] as const;

/** The class marking a paragraph that was a heading (styled as a lead-in, not as a giant title). */
export const HEADING_CLASS = 'md-heading';

/** An allow-list, not defaultSchema minus things: a new Markdown feature stays out until someone lets it in. */
export const CHAT_SANITIZE_SCHEMA: SanitizeSchema = {
  tagNames: [...ALLOWED_TAGS],
  attributes: {
    a: ['href'],
    ol: [['start', /^\d{1,9}$/]],
    p: [['className', HEADING_CLASS]],
  },
  protocols: { href: ['http', 'https', 'mailto'] },
  ancestors: { li: ['ol', 'ul'] },
  // Refused elements vanish with their content; others are unwrapped (their text stays).
  strip: ['script', 'style', 'template', 'textarea', 'title', 'noscript', 'iframe', 'object', 'svg', 'math'],
  clobber: [],
  clobberPrefix: '',
  required: {},
  allowComments: false,
  allowDoctypes: false,
};

/** Elements that start a block: a newline next to one is layout, not a line break the sender typed. */
const BLOCKS = new Set(['p', 'pre', 'ul', 'ol', 'li', 'blockquote', 'hr']);

type Parent = Root | Element;

/**
 * The rehype step before sanitizing. In the tree Markdown produced:
 * - raw HTML becomes the text that was typed (never markup; a block of it gets its own paragraph);
 * - images become the text that was typed: a message cannot make the reader's browser fetch an address;
 * - links whose destination the link policy refuses become the text that was typed; allowed ones get the
 *   normalised destination;
 * - headings become emphasized paragraphs;
 * - a newline inside a paragraph is a line break, as everyone expects in chat (CommonMark would join the lines).
 */
export function rehypeChatMarkdown(): (tree: Root, file: VFile) => void {
  return (tree, file) => {
    const source = typeof file.value === 'string' ? file.value : String(file.value);
    rewriteChildren(tree, source, false);
  };
}

function rewriteChildren(parent: Parent, source: string, preformatted: boolean): void {
  const next: RootContent[] = [];
  parent.children.forEach((child, index) => {
    const rewritten = rewrite(child, parent, index, source, preformatted);
    next.push(...rewritten);
  });
  parent.children = next;
}

function rewrite(
  node: RootContent,
  parent: Parent,
  index: number,
  source: string,
  preformatted: boolean,
): RootContent[] {
  switch (node.type) {
    case 'raw': {
      const text: Text = { type: 'text', value: node.value };
      const inBlockContext = parent.type === 'root' || parent.tagName === 'blockquote';
      return inBlockContext ? [paragraph([text])] : [text];
    }
    case 'text':
      return preformatted ? [node] : withLineBreaks(node, parent, index);
    case 'element':
      return rewriteElement(node, source, preformatted);
    case 'comment':
    case 'doctype':
      return [];
  }
}

function rewriteElement(element: Element, source: string, preformatted: boolean): RootContent[] {
  const { tagName } = element;
  if (tagName === 'img') return [{ type: 'text', value: typed(element, source) }];
  if (tagName === 'a') {
    const href = element.properties['href'];
    const allowed = typeof href === 'string' ? allowedLinkHref(href) : null;
    if (allowed === null) return [{ type: 'text', value: typed(element, source) }];
    element.properties = { href: allowed };
  }
  if (/^h[1-6]$/.test(tagName)) {
    const strong: Element = {
      type: 'element',
      tagName: 'strong',
      properties: {},
      children: element.children,
    };
    rewriteChildren(strong, source, preformatted);
    return [
      { ...paragraph([strong]), properties: { className: [HEADING_CLASS] }, position: element.position },
    ];
  }
  rewriteChildren(element, source, preformatted || tagName === 'pre');
  return [element];
}

/** The Markdown the sender typed for this element, or its text when the parser did not say where it was. */
function typed(element: Element, source: string): string {
  const start = element.position?.start.offset;
  const end = element.position?.end.offset;
  if (start !== undefined && end !== undefined) return source.slice(start, end);
  const alt = element.properties['alt'];
  return typeof alt === 'string' ? alt : textOf(element);
}

/** The text content of an element (what a link says, for example). */
export function textOf(node: Element | ElementContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element') return node.children.map(textOf).join('');
  return '';
}

function paragraph(children: ElementContent[]): Element {
  return { type: 'element', tagName: 'p', properties: {}, children };
}

/** A text inside a paragraph with its newlines as `<br>`; whitespace between blocks stays as it is. */
function withLineBreaks(text: Text, parent: Parent, index: number): RootContent[] {
  if (!text.value.includes('\n') || parent.type === 'root') return [text];
  if (parent.tagName === 'blockquote' || parent.tagName === 'ul' || parent.tagName === 'ol') return [text];
  if (text.value.trim() === '' && isLayoutWhitespace(parent, index)) return [text];
  const parts: RootContent[] = [];
  text.value.split('\n').forEach((line, i) => {
    if (i > 0) parts.push({ type: 'element', tagName: 'br', properties: {}, children: [] });
    if (line !== '') parts.push({ type: 'text', value: line });
  });
  return parts;
}

/** A newline-only text at the edge of its parent, after a `<br>`, or beside a block is layout. */
function isLayoutWhitespace(parent: Element, index: number): boolean {
  const before = parent.children[index - 1];
  const after = parent.children[index + 1];
  const isBreakOrBlock = (node: ElementContent | undefined): boolean =>
    node === undefined || (node.type === 'element' && (node.tagName === 'br' || BLOCKS.has(node.tagName)));
  return isBreakOrBlock(before) || isBreakOrBlock(after);
}
