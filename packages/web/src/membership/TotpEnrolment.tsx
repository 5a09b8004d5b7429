import { useEffect, useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { CopyButton, FormError } from './MembershipPage.js';
import { groupedSecret, otpauthUri } from './totp-enrolment.js';

interface TotpEnrolmentProps {
  /** The base32 secret this browser generated; it reaches the server only with the first code. */
  readonly secret: string;
  /** The account name the authenticator app shows (the e-mail address). */
  readonly account: string;
  /** Whether the deployment requires a second factor (then there is no "later"). */
  readonly required: boolean;
  readonly busy: boolean;
  readonly errorText: string | undefined;
  readonly onConfirm: (code: string) => void;
  readonly onSkip: () => void;
}

/**
 * The authenticator-app step of activation. The secret is shown as text (to type into an app) and as an
 * `otpauth://` address (to paste into one, or into a password manager); a current code proves the app has it.
 */
export function TotpEnrolment({
  secret,
  account,
  required,
  busy,
  errorText,
  onConfirm,
  onSkip,
}: TotpEnrolmentProps): ReactNode {
  const i18n = useI18n();
  const [code, setCode] = useState('');
  const codeField = useRef<HTMLInputElement>(null);
  const uri = otpauthUri(secret, account);
  const ids = {
    heading: useId(),
    intro: useId(),
    secret: useId(),
    uri: useId(),
    code: useId(),
    codeHint: useId(),
    error: useId(),
  };

  useEffect(() => {
    codeField.current?.focus();
  }, []);
  // A refused code: back to the field, emptied, for the next one.
  useEffect(() => {
    if (errorText === undefined) return;
    setCode('');
    codeField.current?.focus();
  }, [errorText]);

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    onConfirm(code);
  };

  return (
    <form
      className="membership-form"
      onSubmit={submit}
      aria-labelledby={ids.heading}
      aria-describedby={errorText === undefined ? ids.intro : ids.error}
    >
      <h2 id={ids.heading}>{i18n.t('activate.heading')}</h2>
      <p className="membership-step">{i18n.t('activate.stepTotp')}</p>
      <p id={ids.intro}>{i18n.t('activate.totpIntro')}</p>
      <div className="field secret-block">
        <label htmlFor={ids.secret}>{i18n.t('activate.totpSecret')}</label>
        <textarea
          id={ids.secret}
          className="secret-value"
          readOnly
          rows={1}
          spellCheck={false}
          value={groupedSecret(secret)}
          onFocus={(event) => event.target.select()}
        />
        <CopyButton text={secret} label={i18n.t('activate.copySecret')} />
      </div>
      <div className="field secret-block">
        <label htmlFor={ids.uri}>{i18n.t('activate.totpUri')}</label>
        <textarea
          id={ids.uri}
          className="secret-value secret-uri"
          readOnly
          rows={4}
          spellCheck={false}
          value={uri}
          onFocus={(event) => event.target.select()}
        />
        <CopyButton text={uri} label={i18n.t('activate.copyUri')} />
      </div>
      <div className="field">
        <label htmlFor={ids.code}>{i18n.t('activate.totpCode')}</label>
        <input
          id={ids.code}
          ref={codeField}
          autoComplete="one-time-code"
          inputMode="numeric"
          pattern="[0-9 ]{6,7}"
          required
          spellCheck={false}
          aria-describedby={`${ids.codeHint} ${ids.intro}`}
          aria-invalid={errorText === undefined ? undefined : true}
          value={code}
          onChange={(event) => setCode(event.target.value)}
        />
        <p id={ids.codeHint} className="field-hint">
          {i18n.t('activate.totpCodeHint')}
        </p>
      </div>
      <FormError id={ids.error} text={errorText} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? i18n.t('activate.activating') : i18n.t('activate.confirmTotp')}
      </button>
      {!required && (
        <button type="button" className="link-button" disabled={busy} onClick={onSkip}>
          {i18n.t('activate.skipTotp')}
        </button>
      )}
    </form>
  );
}
