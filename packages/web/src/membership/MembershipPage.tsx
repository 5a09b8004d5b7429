import { useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { LanguagePicker } from '../ui/LanguagePicker.js';

/** The frame of the public membership screens: the card of the sign-in page, a little wider for forms. */
export function MembershipPage({
  children,
  wide = false,
}: {
  readonly children: ReactNode;
  readonly wide?: boolean;
}): ReactNode {
  const i18n = useI18n();
  return (
    <div className="sign-in-page">
      <main
        className={
          wide ? 'sign-in-card membership-card membership-card-wide' : 'sign-in-card membership-card'
        }
      >
        <h1 className="app-name">{i18n.t('app.name')}</h1>
        {children}
        <LanguagePicker />
      </main>
    </div>
  );
}

/** An error a form shows; `role="alert"` makes screen readers announce it the moment it appears. */
export function FormError({
  id,
  text,
}: {
  readonly id: string;
  readonly text: string | undefined;
}): ReactNode {
  if (text === undefined) return null;
  return (
    <p id={id} className="form-error" role="alert">
      {text}
    </p>
  );
}

/**
 * Copies a text to the clipboard and says so. Where the browser refuses (no permission, an old browser) it
 * says that instead: the text is on screen to select by hand.
 */
export function CopyButton({ text, label }: { readonly text: string; readonly label: string }): ReactNode {
  const i18n = useI18n();
  const [outcome, setOutcome] = useState<'copied' | 'failed' | undefined>(undefined);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('copied');
    } catch {
      setOutcome('failed');
    }
  };
  return (
    <span className="copy-button">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className="copy-outcome">
        {outcome === 'copied'
          ? i18n.t('membership.copied')
          : outcome === 'failed'
            ? i18n.t('membership.copyFailed')
            : ''}
      </span>
    </span>
  );
}
