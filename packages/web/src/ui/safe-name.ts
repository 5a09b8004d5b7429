/**
 * Names people choose for themselves and for conversations, made safe to show next to each other. Two ways a name
 * impersonates another: invisible characters (a right-to-left override that shows `Anna‮nimda` as `Annaadmin`,
 * zero-width characters that make two identical-looking names different), and letters of another alphabet that
 * look alike (Cyrillic `а` in `Аnna`). The first are removed; the second are flagged for the reader, because
 * Cyrillic, Greek or Latin names are all legitimate here — what is suspicious is one word mixing them.
 * Pure: Unicode property escapes only, no confusable tables, no DOM.
 */

export type NameWarning = 'hidden-characters' | 'mixed-scripts';

export interface SafeName {
  /** The name to show: invisible characters removed, spaces collapsed. Empty when nothing visible was left. */
  readonly text: string;
  readonly warnings: readonly NameWarning[];
}

/**
 * Invisible characters: controls, format characters (all bidi embeddings, overrides, isolates and marks, zero-width
 * space and joiners, the Arabic letter mark) and the other default-ignorable ones (Hangul fillers, variation
 * selectors, tags).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const SPACE = /[\p{Zs}\p{Zl}\p{Zp}\t\n\v\f\r\u0085]/u;
const ZERO_WIDTH_JOINER = '\u200d';
const ZERO_WIDTH_NON_JOINER = '\u200c';
/** Variation selectors only choose a glyph style (text or emoji ❤): dropping them warns nobody. */
const VARIATION_SELECTOR = /[\u{fe00}-\u{fe0f}\u{e0100}-\u{e01ef}]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const LETTER_OR_MARK = /[\p{L}\p{M}]/u;
/** Splits a name into words: a word mixing alphabets is the tell, whole words in different ones are not. */
const WORD_SEPARATOR = /[\s\p{P}\p{S}]+/u;

/** Scripts that pass: Common (digits, punctuation) and Inherited (combining marks) belong to any word. */
const NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

/**
 * Unicode scripts, the usual ones of our members first (each letter is looked up in this order). Compiled at
 * first use, and a name the browser's regular expressions do not know yet is skipped rather than fatal.
 */
const SCRIPT_NAMES = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Arabic',
  'Hebrew',
  'Armenian',
  'Georgian',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Bopomofo',
  'Devanagari',
  'Thai',
  'Cherokee',
  'Coptic',
  'Lisu',
  'Tifinagh',
  'Vai',
  'Ethiopic',
  'Syriac',
  'Thaana',
  'Nko',
  'Adlam',
  'Osage',
  'Canadian_Aboriginal',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Yi',
  'Glagolitic',
  'Gothic',
  'Old_Italic',
  'Runic',
  'Ogham',
  'Deseret',
  'Shavian',
  'Osmanya',
  'Javanese',
  'Balinese',
  'Sundanese',
  'Tai_Le',
  'Tai_Viet',
  'Samaritan',
  'Mandaic',
  'Braille',
] as const;

/**
 * Scripts written together in one word by whole languages (UTS #39 "highly restrictive"): Japanese mixes Han with
 * Hiragana and Katakana, Korean Han with Hangul, Chinese Han with Bopomofo. Each script stands for the writing
 * systems it can be part of; a word is single-script when all its letters share one.
 */
const WRITING_SYSTEMS: Readonly<Record<string, readonly string[]>> = {
  Han: ['Han', 'Japanese', 'Korean', 'Chinese'],
  Hiragana: ['Japanese'],
  Katakana: ['Japanese'],
  Hangul: ['Korean'],
  Bopomofo: ['Chinese'],
};

let compiledScripts: ReadonlyArray<readonly [string, RegExp]> | undefined;

function scripts(): ReadonlyArray<readonly [string, RegExp]> {
  compiledScripts ??= SCRIPT_NAMES.flatMap((name) => {
    try {
      return [[name, new RegExp(`\\p{Script=${name}}`, 'u')] as const];
    } catch {
      return [];
    }
  });
  return compiledScripts;
}

/** The script of a letter, or `Other` for one in none of the scripts above (still distinct from them). */
function scriptOf(char: string): string {
  return scripts().find(([, pattern]) => pattern.test(char))?.[0] ?? 'Other';
}

/** Whether one word mixes letters of scripts that no single writing system combines. */
export function mixesScripts(word: string): boolean {
  let shared: Set<string> | undefined;
  for (const char of word) {
    if (NEUTRAL.test(char)) continue;
    const script = scriptOf(char);
    const systems = WRITING_SYSTEMS[script] ?? [script];
    shared =
      shared === undefined ? new Set(systems) : new Set(systems.filter((system) => shared?.has(system)));
    if (shared.size === 0) return true;
  }
  return false;
}

/**
 * Removes what cannot be seen; keeps the joiners that build emoji (👩‍🚒) and shape Persian or Indic words, and
 * the variation selector that asks for an emoji's colour form.
 */
function stripInvisible(name: string): { readonly text: string; readonly removedHidden: boolean } {
  // Code points, not grapheme clusters: each invisible character is judged on its own.
  const chars = Array.from(name.normalize('NFC'));
  let removedHidden = false;
  let text = '';
  let before = '';
  chars.forEach((char, i) => {
    const keep = (kept: string): void => {
      text += kept;
      before = kept;
    };
    if (SPACE.test(char)) return keep(' ');
    if (!INVISIBLE.test(char)) return keep(char);
    const after = chars.slice(i + 1).find((next) => !VARIATION_SELECTOR.test(next)) ?? '';
    if (VARIATION_SELECTOR.test(char)) {
      if (PICTOGRAPH.test(before)) text += char;
    } else if (char === ZERO_WIDTH_JOINER && PICTOGRAPH.test(before) && PICTOGRAPH.test(after)) keep(char);
    else if (char === ZERO_WIDTH_NON_JOINER && LETTER_OR_MARK.test(before) && LETTER_OR_MARK.test(after))
      keep(char);
    else removedHidden = true;
  });
  return { text: text.replace(/ {2,}/g, ' ').trim(), removedHidden };
}

const cache = new Map<string, SafeName>();
/** Names repeat on every row: remember the last few hundred. */
const CACHE_LIMIT = 500;

/** A name as it may be shown, with what the reader should be warned about. */
export function safeName(name: string): SafeName {
  const known = cache.get(name);
  if (known !== undefined) return known;
  const { text, removedHidden } = stripInvisible(name);
  const warnings: NameWarning[] = [];
  if (removedHidden) warnings.push('hidden-characters');
  if (text.split(WORD_SEPARATOR).some(mixesScripts)) warnings.push('mixed-scripts');
  const result: SafeName = { text, warnings };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(name, result);
  return result;
}
