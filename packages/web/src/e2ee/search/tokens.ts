/**
 * Words as the device search sees them (ADR 0020): the text is cut into words by `Intl.Segmenter` (so Polish,
 * German, Greek, Chinese or Thai are cut where their writing system cuts them, not at ASCII spaces), and each
 * word is folded so that case and accents do not matter: "Müller", "MULLER" and "muller" are one token, as are
 * "Łódź" and "lodz". Pure: no DOM, no crypto; the same functions index a message and read a query.
 */

/** Longer words are cut to this many characters (code points): a hash or a URL is not a word to look for. */
export const MAX_TOKEN_CHARS = 32;

/**
 * A prefix is looked up from this many characters on. The postings of all tokens that share their first
 * PREFIX_CHARS characters live in one bucket (`search-index.ts`), so a prefix of that length or more is one
 * bucket read; a shorter last word is matched exactly.
 */
export const PREFIX_CHARS = 3;

/** Letters that carry no combining mark to strip but that people type without their stroke or ligature. */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};
const FOLDABLE = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'gu');
const MARKS = /\p{M}+/gu;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/** One word of a text: where it is (UTF-16 offsets into the text) and its folded token. */
export interface WordSpan {
  readonly token: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The folded form of a word: lower case (before decomposing, so "İ" loses its dot too), compatibility-
 * decomposed (NFKD: "ﬁ" → "fi", "²" → "2"), combining marks removed ("é" → "e"), a few letters without a
 * decomposition mapped (ß, ł, ø, …), cut to MAX_TOKEN_CHARS code points.
 */
export function foldWord(word: string): string {
  const folded = word
    .toLowerCase()
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(FOLDABLE, (letter) => LETTER_FOLDS[letter] ?? letter);
  return cutToChars(folded, MAX_TOKEN_CHARS);
}

/** The words of a text in order (numbers count as words; punctuation, spaces and emoji do not). */
export function wordsOf(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  for (const segment of segmenter.segment(text)) {
    if (segment.isWordLike !== true) continue;
    const token = foldWord(segment.segment);
    if (token === '') continue;
    spans.push({ token, start: segment.index, end: segment.index + segment.segment.length });
  }
  return spans;
}

/** Each distinct token of a text once. */
export function tokensOf(text: string): Set<string> {
  return new Set(wordsOf(text).map((span) => span.token));
}

/**
 * What names a token's bucket: its first PREFIX_CHARS characters (the whole token when shorter). Every token
 * with a given prefix of that length or more is in the bucket of that prefix.
 */
export function bucketName(token: string): string {
  return cutToChars(token, PREFIX_CHARS);
}

/**
 * A query: every word must occur (`exact`), and the last one, while it is being typed, may be the start of a
 * word (`prefix`). A query ending in a space or punctuation has no prefix: its last word is complete.
 */
export interface ParsedQuery {
  readonly exact: readonly string[];
  readonly prefix: string | undefined;
}

export function parseQuery(query: string): ParsedQuery {
  const spans = wordsOf(query);
  const last = spans.at(-1);
  const typing = last !== undefined && last.end === query.length;
  const exactSpans = typing ? spans.slice(0, -1) : spans;
  const exact = [...new Set(exactSpans.map((s) => s.token))];
  if (!typing) return { exact, prefix: undefined };
  // Too short to be a prefix worth a lookup (see PREFIX_CHARS): matched as a whole word.
  if (codePoints(last.token) < PREFIX_CHARS)
    return { exact: [...new Set([...exact, last.token])], prefix: undefined };
  return { exact, prefix: last.token };
}

/** True when the query has no word to look for. */
export function isEmptyQuery(query: ParsedQuery): boolean {
  return query.exact.length === 0 && query.prefix === undefined;
}

/**
 * Where the query's words occur in a text, or undefined when one of them does not: the spans of every word
 * that is one of the exact tokens or starts with the prefix. The index proposes candidates; this decides.
 */
export function matchIn(text: string, query: ParsedQuery): WordSpan[] | undefined {
  const spans = wordsOf(text);
  const wanted = new Set(query.exact);
  const found = new Set<string>();
  let prefixFound = query.prefix === undefined;
  const matched: WordSpan[] = [];
  for (const span of spans) {
    const exact = wanted.has(span.token);
    const prefix = query.prefix !== undefined && span.token.startsWith(query.prefix);
    if (exact) found.add(span.token);
    if (prefix) prefixFound = true;
    if (exact || prefix) matched.push(span);
  }
  return found.size === wanted.size && prefixFound ? matched : undefined;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function cutToChars(text: string, chars: number): string {
  if (text.length <= chars) return text;
  return Array.from(text).slice(0, chars).join('');
}
