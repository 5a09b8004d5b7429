import type { PluralForms } from './catalogue.js';

/**
 * The messages of one feature, kept next to its screens (src/admin/messages.ts, …) and spread into the
 * catalogue: English is the reference, and each other language must have exactly its keys, a string where
 * English has one and plural forms likewise, or it does not compile.
 */
export type Translation<E> = { readonly [K in keyof E]: E[K] extends string ? string : PluralForms };

export interface FeatureMessages<E extends Readonly<Record<string, string | PluralForms>>> {
  readonly en: E;
  readonly de: Translation<E>;
  readonly fr: Translation<E>;
  readonly pl: Translation<E>;
}
