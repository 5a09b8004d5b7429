import { useEffect, useId, useMemo, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { Link } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { errorCode } from '../membership/membership-errors.js';
import { FormError, MembershipPage } from '../membership/MembershipPage.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { confirmPasswordReset } from './password-reset-api.js';
import { NewPasswordFields } from '../membership/NewPasswordFields.js';
import { PASSWORD_MIN } from '../membership/password-rules.js';
import { isWellFormedToken, resetErrorMessage } from './password-reset-errors.js';
import { RequestReset } from './RequestReset.js';
import '../styles/password-reset.css';

/**
 * `/reset-password`: without a token, the form that mails a reset link (reached from the sign-in screen and
 * from the "password changed" mail); with the link's `#token=…`, the form that sets the new password. A new
 * token (another link opened in the same tab) starts that form afresh.
 */
export function ResetPassword({ token }: { readonly token: string | undefined }): ReactNode {
  return token === undefined ? <RequestReset /> : <ChooseNewPassword key={token} token={token} />;
}

type Step =
  | { readonly kind: 'choose' }
  | { readonly kind: 'unusable'; readonly reason: 'missing' | 'invalid' }
  | { readonly kind: 'done' };

/**
 * The new password, checked here for length and typos as at activation, then by the server's policy (whose
 * refusal names the rule). It says before and after what a reset does not do: restore the encryption keys.
 */
function ChooseNewPassword({ token }: { readonly token: string }): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const [step, setStep] = useState<Step>(() =>
    isWellFormedToken(token) ? { kind: 'choose' } : { kind: 'unusable', reason: 'missing' },
  );
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [localError, setLocalError] = useState<string | undefined>(undefined);
  const passwordField = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const ids = {
    heading: useId(),
    error: useId(),
    e2ee: useId(),
  };

  // The form starts in the password field; a result (done, or a dead link) takes the focus to its heading.
  useEffect(() => {
    if (step.kind === 'choose') passwordField.current?.focus();
    else heading.current?.focus();
  }, [step.kind]);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    if (Array.from(password).length < PASSWORD_MIN) {
      setLocalError(i18n.t('activate.passwordTooShort', { min: PASSWORD_MIN }));
      passwordField.current?.focus();
      return;
    }
    if (password !== confirmation) {
      setLocalError(i18n.t('activate.passwordMismatch'));
      return;
    }
    setLocalError(undefined);
    setBusy(true);
    try {
      await confirmPasswordReset(http, { token, newPassword: password });
      setStep({ kind: 'done' });
    } catch (caught) {
      if (errorCode(caught) === 'TOKEN_INVALID') {
        setStep({ kind: 'unusable', reason: 'invalid' });
      } else {
        setError(caught);
        if (errorCode(caught) === 'PASSWORD_TOO_WEAK') passwordField.current?.focus();
      }
    } finally {
      setBusy(false);
    }
  };

  const e2eeNote = (
    <section className="reset-e2ee-note" aria-labelledby={ids.e2ee}>
      <h3 id={ids.e2ee}>{i18n.t('passwordReset.e2eeHeading')}</h3>
      <p>{i18n.t('passwordReset.e2eeNote')}</p>
    </section>
  );

  switch (step.kind) {
    case 'done':
      return (
        <MembershipPage>
          <section className="membership-done" aria-labelledby={ids.heading}>
            <h2 id={ids.heading} ref={heading} tabIndex={-1}>
              {i18n.t('passwordReset.doneHeading')}
            </h2>
            <p>{i18n.t('passwordReset.doneText')}</p>
            {e2eeNote}
            <Link to={PATHS.home}>{i18n.t('membership.toSignIn')}</Link>
          </section>
        </MembershipPage>
      );
    case 'unusable':
      return (
        <MembershipPage>
          <section className="membership-form" aria-labelledby={ids.heading}>
            <h2 id={ids.heading} ref={heading} tabIndex={-1}>
              {i18n.t('passwordReset.chooseHeading')}
            </h2>
            <FormError
              id={ids.error}
              text={i18n.t(
                step.reason === 'missing'
                  ? 'passwordReset.error.tokenMissing'
                  : 'passwordReset.error.tokenInvalid',
              )}
            />
            <Link to={PATHS.resetPassword} className="membership-secondary-link">
              {i18n.t('passwordReset.requestNew')}
            </Link>
            <Link to={PATHS.home} className="membership-secondary-link">
              {i18n.t('passwordReset.backToSignIn')}
            </Link>
          </section>
        </MembershipPage>
      );
    case 'choose': {
      const errorText = localError ?? (error === undefined ? undefined : resetErrorMessage(error, i18n));
      return (
        <MembershipPage>
          <form
            className="membership-form"
            onSubmit={(event) => void submit(event)}
            aria-labelledby={ids.heading}
            aria-describedby={errorText === undefined ? undefined : ids.error}
          >
            <h2 id={ids.heading}>{i18n.t('passwordReset.chooseHeading')}</h2>
            <p>{i18n.t('passwordReset.chooseIntro')}</p>
            <NewPasswordFields
              password={password}
              confirmation={confirmation}
              onPassword={setPassword}
              onConfirmation={setConfirmation}
              passwordRef={passwordField}
              tooWeak={errorCode(error) === 'PASSWORD_TOO_WEAK'}
              maxLength={256}
            />
            <p className="field-hint">{i18n.t('passwordReset.totpNote')}</p>
            {e2eeNote}
            <FormError id={ids.error} text={errorText} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? i18n.t('passwordReset.submitting') : i18n.t('passwordReset.submit')}
            </button>
          </form>
        </MembershipPage>
      );
    }
  }
}
