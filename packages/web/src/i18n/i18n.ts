import { en, type Catalogue, type MessageKey, type PluralForms, type PluralKey } from './catalogue.js';
import { de } from './locales/de.js';
import { fr } from './locales/fr.js';
import { pl } from './locales/pl.js';

export const LOCALES = ['en', 'de', 'fr', 'pl'] as const;
export type Locale = (typeof LOCALES)[number];

const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, de, fr, pl };

/** Each language named in itself, for the language picker. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  pl: 'Polski',
};

export type MessageParams = Readonly<Record<string, string | number>>;

/** Everything the UI needs to speak one language: messages, and dates and numbers the way it writes them. */
export interface Translator {
  readonly locale: Locale;
  /** A message; `{name}` placeholders take `params` (numbers are formatted for the locale). */
  t(key: Exclude<MessageKey, PluralKey>, params?: MessageParams): string;
  /** A message with plural forms, chosen for `count` (also available as `{count}`). */
  plural(key: PluralKey, count: number, params?: MessageParams): string;
  formatNumber(value: number): string;
  /** A clock time, e.g. 14:05 or 2:05 PM. */
  formatTime(epochMs: number): string;
  /** A date and time in full, for tooltips and screen readers. */
  formatDateTime(epochMs: number): string;
  /** Today: the time; earlier: a short date. For list rows. */
  formatRecent(epochMs: number, now?: number): string;
  /** A file size in the locale's units: 980 B, 12.5 kB, 3.2 MB, 1.1 GB. */
  formatBytes(bytes: number): string;
}

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The first of the browser's preferred languages we have (`de-AT` → `de`), English otherwise. */
export function negotiateLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (isLocale(base)) return base;
  }
  return 'en';
}

/**
 * The regional variant for dates and numbers: the browser's own tag when it is of the chosen language
 * (`en-GB` writes 14:05, `de-AT` writes Jänner), the bare language otherwise.
 */
export function formattingLocale(locale: Locale, preferred: readonly string[]): string {
  return preferred.find((tag) => tag.toLowerCase().split('-')[0] === locale) ?? locale;
}

export function createTranslator(locale: Locale, formatLocale: string = locale): Translator {
  const catalogue = CATALOGUES[locale];
  const numbers = new Intl.NumberFormat(formatLocale);
  const pluralRules = new Intl.PluralRules(locale);
  const time = new Intl.DateTimeFormat(formatLocale, { hour: 'numeric', minute: '2-digit' });
  const dateTime = new Intl.DateTimeFormat(formatLocale, { dateStyle: 'full', timeStyle: 'short' });
  const shortDate = new Intl.DateTimeFormat(formatLocale, { day: 'numeric', month: 'short' });
  const byteFormats = BYTE_UNITS.map(
    (unit) =>
      new Intl.NumberFormat(formatLocale, {
        style: 'unit',
        unit,
        unitDisplay: 'short',
        maximumFractionDigits: 1,
      }),
  );

  const fill = (template: string, params: MessageParams): string =>
    template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numbers.format(value) : value;
    });

  return {
    locale,
    t: (key, params = {}) => fill(catalogue[key], params),
    plural: (key, count, params = {}) => {
      const forms: PluralForms = catalogue[key];
      const form = forms[pluralRules.select(count)] ?? forms.other;
      return fill(form, { ...params, count });
    },
    formatNumber: (value) => numbers.format(value),
    formatTime: (epochMs) => time.format(epochMs),
    formatDateTime: (epochMs) => dateTime.format(epochMs),
    formatRecent: (epochMs, now = Date.now()) =>
      new Date(epochMs).toDateString() === new Date(now).toDateString()
        ? time.format(epochMs)
        : shortDate.format(epochMs),
    formatBytes: (bytes) => {
      // Decimal units (kB = 1,000 B), as file managers on most desks show them.
      const step = Math.min(
        BYTE_UNITS.length - 1,
        Math.max(0, Math.floor(Math.log10(Math.max(bytes, 1)) / 3)),
      );
      return (byteFormats[step] ?? numbers).format(bytes / 1000 ** step);
    },
  };
}
