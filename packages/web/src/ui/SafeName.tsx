import type { ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { safeName, type NameWarning } from './safe-name.js';
import '../styles/rich-text.css';

const EXPLANATIONS: Readonly<Record<NameWarning, 'names.hiddenCharacters' | 'names.mixedScripts'>> = {
  'hidden-characters': 'names.hiddenCharacters',
  'mixed-scripts': 'names.mixedScripts',
};

/**
 * A person's or a conversation's name that cannot impersonate another: invisible characters removed, isolated
 * from the text around it (`<bdi>`), and a visible marker with its explanation (tooltip and screen readers) when
 * it was tampered with or mixes alphabets in one word.
 */
export function SafeName({ name }: { readonly name: string }): ReactNode {
  const i18n = useI18n();
  const safe = safeName(name);
  const explanation = safe.warnings.map((warning) => i18n.t(EXPLANATIONS[warning])).join(' ');
  return (
    <>
      <bdi className="safe-name">{safe.text === '' ? i18n.t('names.empty') : safe.text}</bdi>
      {explanation !== '' && (
        <span className="name-warning" title={explanation}>
          <span aria-hidden="true">⚠</span>
          <span className="visually-hidden">{explanation}</span>
        </span>
      )}
    </>
  );
}
