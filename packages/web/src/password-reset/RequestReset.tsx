import { useEffect, useId, useMemo, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { Link } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { errorCode } from '../membership/membership-errors.js';
import { FormError, MembershipPage } from '../membership/MembershipPage.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { Field } from '../ui/Field.js';
import { requestPasswordReset } from './password-reset-api.js';
import { resetErrorMessage } from './password-reset-errors.js';
import '../styles/password-reset.css';

/**
 * "Forgot your password?": the address to mail a reset link to. The answer is the same whether or not an
 * account uses it (the server's rule), so the screen says "if an account uses …" and never more.
 */
export function RequestReset(): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [sentTo, setSentTo] = useState<string | undefined>(undefined);
  const emailField = useRef<HTMLInputElement>(null);
  const sentHeading = useRef<HTMLHeadingElement>(null);
  const ids = { heading: useId(), error: useId() };

  // The form starts in its field; once sent, the focus moves to what happened (screen readers read it).
  useEffect(() => {
    if (sentTo === undefined) emailField.current?.focus();
    else sentHeading.current?.focus();
  }, [sentTo]);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await requestPasswordReset(http, email);
      setSentTo(email.trim());
    } catch (caught) {
      setError(caught);
      emailField.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  if (sentTo !== undefined) {
    return (
      <MembershipPage>
        <section className="membership-done" aria-labelledby={ids.heading}>
          <h2 id={ids.heading} ref={sentHeading} tabIndex={-1}>
            {i18n.t('passwordReset.sentHeading')}
          </h2>
          <p>{i18n.t('passwordReset.sentText', { email: sentTo })}</p>
          <p className="field-hint">{i18n.t('passwordReset.sentHelp')}</p>
          <button type="button" className="link-button" onClick={() => setSentTo(undefined)}>
            {i18n.t('passwordReset.askAgain')}
          </button>
          <Link to={PATHS.home}>{i18n.t('passwordReset.backToSignIn')}</Link>
        </section>
      </MembershipPage>
    );
  }

  const errorText = error === undefined ? undefined : resetErrorMessage(error, i18n);
  return (
    <MembershipPage>
      <form
        className="membership-form"
        onSubmit={(event) => void submit(event)}
        aria-labelledby={ids.heading}
        aria-describedby={errorText === undefined ? undefined : ids.error}
      >
        <h2 id={ids.heading}>{i18n.t('passwordReset.requestHeading')}</h2>
        <p>{i18n.t('passwordReset.requestIntro')}</p>
        <Field label={i18n.t('passwordReset.email')} invalid={errorCode(error) === 'VALIDATION_FAILED'}>
          {(control) => (
            <input
              {...control}
              ref={emailField}
              type="email"
              autoComplete="username"
              required
              maxLength={254}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
        </Field>
        <FormError id={ids.error} text={errorText} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? i18n.t('passwordReset.sending') : i18n.t('passwordReset.send')}
        </button>
        <Link to={PATHS.home} className="membership-secondary-link">
          {i18n.t('passwordReset.backToSignIn')}
        </Link>
      </form>
    </MembershipPage>
  );
}
