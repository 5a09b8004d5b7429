import type { SearchHighlight } from '../e2ee/worker-protocol.js';

/** A piece of a snippet: plain, or one of the matched words. */
export interface SnippetPart {
  readonly text: string;
  readonly marked: boolean;
}

/**
 * Cuts a snippet into plain and marked pieces at the worker's highlight ranges (sorted, clamped to the text,
 * overlaps merged), so the page marks matches by rendering text nodes, never by building markup.
 */
export function splitHighlights(text: string, highlights: readonly SearchHighlight[]): SnippetPart[] {
  const ranges = highlights
    .map(({ start, end }) => ({ start: clamp(start, text.length), end: clamp(end, text.length) }))
    .filter(({ start, end }) => end > start)
    .sort((a, b) => a.start - b.start);
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const { start, end } of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    if (from > at) parts.push({ text: text.slice(at, from), marked: false });
    parts.push({ text: text.slice(from, end), marked: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), marked: false });
  return parts;
}

function clamp(value: number, length: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(0, Math.trunc(value)), length) : 0;
}
