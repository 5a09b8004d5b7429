import { useEffect, useId, useMemo, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { Link } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { Field } from '../ui/Field.js';
import { createFirstAdmin, setupStatus } from './membership-api.js';
import { errorCode, membershipErrorMessage } from './membership-errors.js';
import { FormError, MembershipPage } from './MembershipPage.js';
import { NewPasswordFields } from './NewPasswordFields.js';
import { PASSWORD_MIN } from './password-rules.js';

type State = 'checking' | 'open' | 'done' | 'created';

/**
 * The one-time link the server prints on its first start (`/setup#token=…`): creates the first Secretariat
 * admin, who then signs in as anyone does and vets the first applications.
 */
export function FirstAdminSetup({ token }: { readonly token: string | undefined }): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const [state, setState] = useState<State>('checking');
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [localError, setLocalError] = useState<string | undefined>(undefined);
  const firstField = useRef<HTMLInputElement>(null);
  const doneHeading = useRef<HTMLHeadingElement>(null);
  const ids = { heading: useId(), error: useId() };

  useEffect(() => {
    let cancelled = false;
    setupStatus(http).then(
      (status) => {
        if (!cancelled) setState(status.needsSetup ? 'open' : 'done');
      },
      (caught: unknown) => {
        if (cancelled) return;
        setError(caught);
        setState('open');
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http]);

  useEffect(() => {
    if (state === 'open') firstField.current?.focus();
    if (state === 'created' || state === 'done') doneHeading.current?.focus();
  }, [state]);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    if (token === undefined) return;
    setError(undefined);
    if (Array.from(password).length < PASSWORD_MIN) {
      setLocalError(i18n.t('activate.passwordTooShort', { min: PASSWORD_MIN }));
      return;
    }
    if (password !== confirmation) {
      setLocalError(i18n.t('activate.passwordMismatch'));
      return;
    }
    setLocalError(undefined);
    setBusy(true);
    try {
      await createFirstAdmin(http, { token, email: email.trim(), displayName: displayName.trim(), password });
      setState('created');
    } catch (caught) {
      if (errorCode(caught) === 'SETUP_ALREADY_DONE') setState('done');
      else setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (state === 'checking') {
    return (
      <MembershipPage>
        <p role="status">{i18n.t('app.loading')}</p>
      </MembershipPage>
    );
  }
  if (state === 'created' || state === 'done') {
    return (
      <MembershipPage>
        <section className="membership-done" aria-labelledby={ids.heading}>
          <h2 id={ids.heading} ref={doneHeading} tabIndex={-1}>
            {state === 'created' ? i18n.t('setup.createdHeading') : i18n.t('setup.doneHeading')}
          </h2>
          <p>{state === 'created' ? i18n.t('setup.createdText') : i18n.t('setup.doneText')}</p>
          <Link to={PATHS.home}>{i18n.t('membership.toSignIn')}</Link>
        </section>
      </MembershipPage>
    );
  }
  const errorText =
    token === undefined
      ? i18n.t('membership.error.tokenMissing')
      : (localError ?? (error === undefined ? undefined : membershipErrorMessage(error, i18n)));
  return (
    <MembershipPage>
      <form
        className="membership-form"
        onSubmit={(event) => void submit(event)}
        aria-labelledby={ids.heading}
        aria-describedby={errorText === undefined ? undefined : ids.error}
      >
        <h2 id={ids.heading}>{i18n.t('setup.heading')}</h2>
        <p>{i18n.t('setup.intro')}</p>
        <Field label={i18n.t('apply.email')}>
          {(control) => (
            <input
              {...control}
              ref={firstField}
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
        </Field>
        <Field label={i18n.t('apply.displayName')}>
          {(control) => (
            <input
              {...control}
              autoComplete="name"
              required
              maxLength={120}
              value={displayName}
              onChange={(event) => setDisplayName(event.target.value)}
            />
          )}
        </Field>
        <NewPasswordFields
          password={password}
          confirmation={confirmation}
          onPassword={setPassword}
          onConfirmation={setConfirmation}
        />
        <FormError id={ids.error} text={errorText} />
        <button type="submit" className="primary" disabled={busy || token === undefined}>
          {busy ? i18n.t('setup.creating') : i18n.t('setup.submit')}
        </button>
      </form>
    </MembershipPage>
  );
}
