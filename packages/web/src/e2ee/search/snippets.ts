import type { WordSpan } from './tokens.js';

/** Characters of context before the first match; the whole snippet is at most SNIPPET_CHARS long. */
const LEAD_CHARS = 48;
export const SNIPPET_CHARS = 180;
const ELLIPSIS = '…';

/** A range of a snippet's text to highlight (UTF-16 offsets, end exclusive). */
export interface Highlight {
  readonly start: number;
  readonly end: number;
}

export interface Snippet {
  readonly text: string;
  readonly highlights: readonly Highlight[];
}

/**
 * The part of a message around its first match, on one line, with the matched words marked by offsets (the
 * page highlights by splitting the text, never by markup). Cut at spaces where it can be, with an ellipsis
 * where text was left out.
 */
export function snippetOf(text: string, matches: readonly WordSpan[]): Snippet {
  const first = matches[0]?.start ?? 0;
  let start = first <= LEAD_CHARS ? 0 : startOfWordAfter(text, first - LEAD_CHARS, first);
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end < text.length) end = endOfWordBefore(text, end, Math.max(start + 1, first + 1));
  // Never cut a surrogate pair in two.
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start -= 1;
  if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end += 1;
  const lead = start > 0 ? ELLIPSIS : '';
  const tail = end < text.length ? ELLIPSIS : '';
  const body = text.slice(start, end);
  // Line breaks become spaces: one-to-one, so the offsets still hold.
  const oneLine = body.replace(/[\r\n\t\v\f\u2028\u2029]/gu, ' ');
  const highlights: Highlight[] = [];
  for (const match of matches) {
    if (match.end <= start || match.start >= end) continue;
    highlights.push({
      start: lead.length + Math.max(match.start, start) - start,
      end: lead.length + Math.min(match.end, end) - start,
    });
  }
  return { text: `${lead}${oneLine}${tail}`, highlights };
}

/** The first position after a space in [from, limit), or `from` when there is none. */
function startOfWordAfter(text: string, from: number, limit: number): number {
  for (let i = from; i < limit; i += 1) if (/\s/u.test(text[i] ?? '')) return i + 1;
  return from;
}

/** The last space before `to` that is not before `floor`, or `to`. */
function endOfWordBefore(text: string, to: number, floor: number): number {
  for (let i = to; i > floor; i -= 1) if (/\s/u.test(text[i] ?? '')) return i;
  return to;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
