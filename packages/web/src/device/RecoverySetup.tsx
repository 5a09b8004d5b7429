import { useEffect, useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { Field } from '../ui/Field.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { deviceErrorMessage } from './device-errors.js';

interface RecoverySetupProps {
  readonly session: SecureSession;
  readonly onDone: () => void;
}

/**
 * The user's first device: a recovery passphrase protects the backup of their keys and history (ADR 0012).
 * The form says plainly what losing it means; a generated code is offered, and typed twice either way. Shown
 * in the messenger's lock panel (SecureGate): messages stay locked until it is saved.
 */
export function RecoverySetup({ session, onDone }: RecoverySetupProps): ReactNode {
  const i18n = useI18n();
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [suggested, setSuggested] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [mismatch, setMismatch] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const ids = {
    error: useId(),
    loss: useId(),
  };

  useEffect(() => {
    field.current?.focus();
  }, []);

  const suggest = async (): Promise<void> => {
    const code = await session.suggestRecoveryCode();
    setSuggested(code);
    setPassphrase(code);
    setConfirmation('');
  };

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    if (passphrase !== confirmation) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    try {
      await session.setUpRecovery(passphrase);
      onDone();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  const errorText = mismatch
    ? i18n.t('device.passphraseMismatch')
    : error === undefined
      ? undefined
      : deviceErrorMessage(error, i18n);
  return (
    <form
      className="device-lock-form"
      onSubmit={(event) => void submit(event)}
      aria-describedby={errorText ? ids.error : ids.loss}
    >
      <h2>{i18n.t('device.recoveryHeading')}</h2>
      <p>{i18n.t('device.recoveryIntro')}</p>
      <p id={ids.loss} className="notice">
        <strong>{i18n.t('device.recoveryLoss')}</strong>
      </p>
      <Field label={i18n.t('device.newPassphrase')} hint={i18n.t('device.newPassphraseHint')}>
        {(control) => (
          <input
            {...control}
            ref={field}
            type="text"
            autoComplete="off"
            spellCheck={false}
            required
            value={passphrase}
            onChange={(event) => setPassphrase(event.target.value)}
          />
        )}
      </Field>
      <button type="button" className="link-button" onClick={() => void suggest()}>
        {i18n.t('device.suggest')}
      </button>
      {suggested !== undefined && (
        <p className="recovery-code" role="status">
          {i18n.t('device.suggested')} <code>{suggested}</code>
        </p>
      )}
      <Field label={i18n.t('device.confirmPassphrase')}>
        {(control) => (
          <input
            {...control}
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            value={confirmation}
            onChange={(event) => setConfirmation(event.target.value)}
          />
        )}
      </Field>
      {errorText !== undefined && (
        <p id={ids.error} className="form-error" role="alert">
          {errorText}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? i18n.t('device.securing') : i18n.t('device.saveRecovery')}
      </button>
    </form>
  );
}
