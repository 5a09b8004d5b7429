import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  createTranslator,
  formattingLocale,
  isLocale,
  negotiateLocale,
  type Locale,
  type Translator,
} from './i18n.js';

/** The user's explicit choice wins over the browser's languages on the next visit. */
const STORAGE_KEY = 'enlets.locale';

interface I18nContextValue {
  readonly translator: Translator;
  readonly setLocale: (locale: Locale) => void;
}

const I18nContext = createContext<I18nContextValue | undefined>(undefined);

function initialLocale(): Locale {
  const stored = readStoredLocale();
  return stored ?? negotiateLocale(navigator.languages);
}

function readStoredLocale(): Locale | undefined {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value !== null && isLocale(value) ? value : undefined;
  } catch {
    return undefined; // storage disabled: follow the browser
  }
}

export function I18nProvider({ children }: { readonly children: ReactNode }): ReactNode {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const value = useMemo<I18nContextValue>(
    () => ({
      translator: createTranslator(locale, formattingLocale(locale, navigator.languages)),
      setLocale: (next) => {
        setLocaleState(next);
        try {
          localStorage.setItem(STORAGE_KEY, next);
        } catch {
          // storage disabled: the choice lasts for this page only
        }
      },
    }),
    [locale],
  );
  useEffect(() => {
    // Screen readers pick their voice from the document language.
    document.documentElement.lang = locale;
    document.title = value.translator.t('app.name');
  }, [locale, value]);
  return <I18nContext value={value}>{children}</I18nContext>;
}

function useI18nContext(): I18nContextValue {
  const context = useContext(I18nContext);
  if (context === undefined) throw new Error('useI18n outside <I18nProvider>');
  return context;
}

/** The current language's messages and formatters. */
export function useI18n(): Translator {
  return useI18nContext().translator;
}

export function useSetLocale(): (locale: Locale) => void {
  return useI18nContext().setLocale;
}
