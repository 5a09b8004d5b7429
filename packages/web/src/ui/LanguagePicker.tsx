import { useId, type ReactNode } from 'react';
import { useI18n, useSetLocale } from '../i18n/I18nProvider.js';
import { isLocale, LOCALE_NAMES, LOCALES } from '../i18n/i18n.js';

export function LanguagePicker(): ReactNode {
  const i18n = useI18n();
  const setLocale = useSetLocale();
  const id = useId();
  return (
    <div className="language-picker">
      <label htmlFor={id}>{i18n.t('language.label')}</label>
      <select
        id={id}
        value={i18n.locale}
        onChange={(event) => {
          if (isLocale(event.target.value)) setLocale(event.target.value);
        }}
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {LOCALE_NAMES[locale]}
          </option>
        ))}
      </select>
    </div>
  );
}
