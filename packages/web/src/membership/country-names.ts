import type { Country } from '@enlets/protocol';
import type { Translator } from '../i18n/i18n.js';

/** A network country's name in the UI language (the server's English name where the browser has none). */
export function countryName(code: string, i18n: Translator, fallback?: string): string {
  try {
    const name = new Intl.DisplayNames([i18n.locale], { type: 'region' }).of(code);
    if (name !== undefined && name !== code) return name;
  } catch {
    // not a region code the browser knows
  }
  return fallback ?? code;
}

/** The countries for a picker: named in the UI language, in its alphabetical order. */
export function sortedCountries(
  countries: readonly Country[],
  i18n: Translator,
): readonly { readonly code: string; readonly name: string }[] {
  const collator = new Intl.Collator(i18n.locale);
  return countries
    .map((c) => ({ code: c.code, name: countryName(c.code, i18n, c.name) }))
    .sort((a, b) => collator.compare(a.name, b.name));
}
