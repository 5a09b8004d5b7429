import { useEffect, useId, useRef, useState, type SyntheticEvent, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { Link } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { PasskeySignIn } from '../passkeys/PasskeySignIn.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { signIn } from '../session/sign-in.js';
import { errorMessage } from '../ui/error-message.js';
import { LanguagePicker } from '../ui/LanguagePicker.js';

type Step = 'password' | 'secondFactor';

/** E-mail and password, then a TOTP or recovery code when the account has a second factor. */
export function SignIn({ onSignedIn }: { readonly onSignedIn: (user: MeResponse) => void }): ReactNode {
  const i18n = useI18n();
  const [step, setStep] = useState<Step>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const codeField = useRef<HTMLInputElement>(null);
  const emailField = useRef<HTMLInputElement>(null);
  const ids = { email: useId(), password: useId(), code: useId(), hint: useId(), error: useId() };

  // Each step starts with the cursor in its first field.
  useEffect(() => {
    (step === 'password' ? emailField : codeField).current?.focus();
  }, [step]);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const outcome = await signIn(cookieHttpClient(), {
        email,
        password,
        ...(step === 'secondFactor' ? { secondFactor: code } : {}),
      });
      if (outcome.kind === 'secondFactorRequired') setStep('secondFactor');
      else onSignedIn(outcome.user);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const restart = (): void => {
    setStep('password');
    setPassword('');
    setCode('');
    setError(undefined);
  };

  const errorText = error === undefined ? undefined : errorMessage(error, i18n);
  return (
    <div className="sign-in-page">
      <main className="sign-in-card">
        <h1 className="app-name">{i18n.t('app.name')}</h1>
        <p className="sign-in-intro">{i18n.t('signIn.intro')}</p>
        <form onSubmit={(event) => void submit(event)} aria-describedby={errorText ? ids.error : undefined}>
          <h2>{step === 'password' ? i18n.t('signIn.heading') : i18n.t('signIn.totpHeading')}</h2>
          {step === 'password' ? (
            <>
              <div className="field">
                <label htmlFor={ids.email}>{i18n.t('signIn.email')}</label>
                <input
                  id={ids.email}
                  ref={emailField}
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(event) => setEmail(event.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor={ids.password}>{i18n.t('signIn.password')}</label>
                <input
                  id={ids.password}
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(event) => setPassword(event.target.value)}
                />
              </div>
            </>
          ) : (
            <div className="field">
              <label htmlFor={ids.code}>{i18n.t('signIn.totpCode')}</label>
              <input
                id={ids.code}
                ref={codeField}
                autoComplete="one-time-code"
                inputMode="text"
                spellCheck={false}
                required
                aria-describedby={ids.hint}
                value={code}
                onChange={(event) => setCode(event.target.value)}
              />
              <p id={ids.hint} className="field-hint">
                {i18n.t('signIn.totpHint')}
              </p>
            </div>
          )}
          {errorText !== undefined && (
            <p id={ids.error} className="form-error" role="alert">
              {errorText}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy
              ? i18n.t('signIn.submitting')
              : step === 'password'
                ? i18n.t('signIn.submit')
                : i18n.t('signIn.verify')}
          </button>
          {step === 'secondFactor' && (
            <button type="button" className="link-button" onClick={restart}>
              {i18n.t('signIn.otherAccount')}
            </button>
          )}
        </form>
        <Link to={PATHS.resetPassword} className="membership-secondary-link">
          {i18n.t('passwordReset.forgotLink')}
        </Link>
        {step === 'password' && <PasskeySignIn onSignedIn={onSignedIn} />}
        <p className="sign-in-apply">
          {i18n.t('apply.noAccount')} <Link to={PATHS.apply}>{i18n.t('apply.link')}</Link>
        </p>
        <LanguagePicker />
      </main>
    </div>
  );
}
