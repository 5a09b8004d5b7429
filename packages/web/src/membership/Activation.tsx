import { useEffect, useId, useMemo, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import type { ActivationInfoResponse } from '@enlets/protocol';
import { navigate } from '../app/navigation.js';
import { PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { DEVICE_LABEL, deviceId } from '../session/sign-in.js';
import { activate, describeInvitation } from './membership-api.js';
import { errorCode, membershipErrorMessage } from './membership-errors.js';
import { FormError, MembershipPage } from './MembershipPage.js';
import { NewPasswordFields } from './NewPasswordFields.js';
import { PASSWORD_MIN } from './password-rules.js';
import { RecoveryCodes } from './RecoveryCodes.js';
import { TotpEnrolment } from './TotpEnrolment.js';
import { newTotpSecret } from './totp-enrolment.js';

type Step =
  | { readonly kind: 'loading' }
  | { readonly kind: 'unusable'; readonly error: unknown }
  | { readonly kind: 'password'; readonly info: ActivationInfoResponse }
  | { readonly kind: 'secondFactor'; readonly info: ActivationInfoResponse }
  | { readonly kind: 'recoveryCodes'; readonly codes: readonly string[] };

/**
 * The invitation link of an approved application: choose a password, enrol an authenticator app, keep the
 * recovery codes. The account is then active and signed in, and the app goes on to this browser's keys
 * (SecureGate: the recovery passphrase of the first device).
 */
export function Activation({ token }: { readonly token: string | undefined }): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const [step, setStep] = useState<Step>({ kind: 'loading' });
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [secret] = useState(newTotpSecret);
  const [error, setError] = useState<unknown>(undefined);
  const [localError, setLocalError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const passwordField = useRef<HTMLInputElement>(null);
  const ids = {
    heading: useId(),
    email: useId(),
    error: useId(),
  };

  useEffect(() => {
    if (token === undefined) {
      setStep({ kind: 'unusable', error: undefined });
      return;
    }
    let cancelled = false;
    describeInvitation(http, token).then(
      (info) => {
        if (!cancelled) setStep({ kind: 'password', info });
      },
      (caught: unknown) => {
        if (!cancelled) setStep({ kind: 'unusable', error: caught });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, token]);

  useEffect(() => {
    if (step.kind === 'password') passwordField.current?.focus();
  }, [step.kind]);

  /** Into the messenger, which opens this browser's keys first; the spent link leaves the history. */
  const finish = (): void => navigate(PATHS.home, { replace: true });

  const redeem = async (withTotpCode: string | undefined): Promise<void> => {
    if (token === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      const id = deviceId();
      const activated = await activate(http, {
        token,
        password,
        deviceLabel: DEVICE_LABEL,
        ...(id === undefined ? {} : { deviceId: id }),
        ...(withTotpCode === undefined ? {} : { totpSecret: secret, totpCode: withTotpCode.trim() }),
      });
      if (activated.recoveryCodes.length === 0) finish();
      else setStep({ kind: 'recoveryCodes', codes: activated.recoveryCodes });
    } catch (caught) {
      setError(caught);
      const code = errorCode(caught);
      if (code === 'PASSWORD_TOO_WEAK' && step.kind === 'secondFactor') {
        setStep({ kind: 'password', info: step.info });
      } else if (code === 'TOKEN_INVALID') {
        setStep({ kind: 'unusable', error: caught });
      }
    } finally {
      setBusy(false);
    }
  };

  const choosePassword = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (step.kind !== 'password') return;
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
    setStep({ kind: 'secondFactor', info: step.info });
  };

  switch (step.kind) {
    case 'loading':
      return (
        <MembershipPage>
          <p role="status">{i18n.t('activate.checking')}</p>
        </MembershipPage>
      );
    case 'unusable':
      return (
        <MembershipPage>
          <section className="membership-form" aria-labelledby={ids.heading}>
            <h2 id={ids.heading}>{i18n.t('activate.heading')}</h2>
            <FormError
              id={ids.error}
              text={
                step.error === undefined
                  ? i18n.t('membership.error.tokenMissing')
                  : membershipErrorMessage(step.error, i18n)
              }
            />
            <p>{i18n.t('activate.linkHelp')}</p>
          </section>
        </MembershipPage>
      );
    case 'recoveryCodes':
      return (
        <MembershipPage>
          <RecoveryCodes codes={step.codes} onDone={finish} />
        </MembershipPage>
      );
    case 'secondFactor':
      return (
        <MembershipPage>
          <TotpEnrolment
            secret={secret}
            account={step.info.email}
            required={step.info.requireSecondFactor}
            busy={busy}
            errorText={error === undefined ? undefined : membershipErrorMessage(error, i18n)}
            onConfirm={(code) => void redeem(code)}
            onSkip={() => void redeem(undefined)}
          />
        </MembershipPage>
      );
    case 'password': {
      const errorText = localError ?? (error === undefined ? undefined : membershipErrorMessage(error, i18n));
      return (
        <MembershipPage>
          <form
            className="membership-form"
            onSubmit={choosePassword}
            aria-labelledby={ids.heading}
            aria-describedby={errorText === undefined ? undefined : ids.error}
          >
            <h2 id={ids.heading}>{i18n.t('activate.heading')}</h2>
            <p className="membership-step">{i18n.t('activate.stepPassword')}</p>
            <p>{i18n.t('activate.welcome', { name: step.info.displayName })}</p>
            <div className="field">
              <label htmlFor={ids.email}>{i18n.t('activate.email')}</label>
              <input id={ids.email} type="email" autoComplete="username" readOnly value={step.info.email} />
            </div>
            <NewPasswordFields
              password={password}
              confirmation={confirmation}
              onPassword={setPassword}
              onConfirmation={setConfirmation}
              passwordRef={passwordField}
              tooWeak={errorCode(error) === 'PASSWORD_TOO_WEAK'}
            />
            <FormError id={ids.error} text={errorText} />
            <button type="submit" className="primary">
              {i18n.t('activate.next')}
            </button>
          </form>
        </MembershipPage>
      );
    }
  }
}
