import { useEffect, useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { CopyButton } from './MembershipPage.js';

/**
 * The second factor's recovery codes, shown this once (the server keeps only their hashes). Going on takes a
 * tick that they are saved: a lost phone without them means asking the Secretariat to reset the account.
 */
export function RecoveryCodes({
  codes,
  onDone,
}: {
  readonly codes: readonly string[];
  readonly onDone: () => void;
}): ReactNode {
  const i18n = useI18n();
  const [saved, setSaved] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const ids = { heading: useId(), intro: useId(), saved: useId() };

  // Focus the heading, not the checkbox: the codes come first, and a screen reader reads on from here.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (saved) onDone();
  };

  return (
    <form className="membership-form" onSubmit={submit} aria-labelledby={ids.heading}>
      <h2 id={ids.heading} ref={heading} tabIndex={-1}>
        {i18n.t('activate.codesHeading')}
      </h2>
      <p className="membership-step">{i18n.t('activate.stepCodes')}</p>
      <p id={ids.intro} className="notice">
        {i18n.t('activate.codesIntro')}
      </p>
      <ol className="recovery-code-list" aria-describedby={ids.intro}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <CopyButton text={codes.join('\n')} label={i18n.t('activate.copyCodes')} />
      <div className="checkbox-field">
        <input
          id={ids.saved}
          type="checkbox"
          required
          checked={saved}
          onChange={(event) => setSaved(event.target.checked)}
        />
        <label htmlFor={ids.saved}>{i18n.t('activate.codesSaved')}</label>
      </div>
      <button type="submit" className="primary" disabled={!saved}>
        {i18n.t('activate.continue')}
      </button>
    </form>
  );
}
