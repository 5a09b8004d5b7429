import { useEffect, useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { Field } from '../ui/Field.js';
import { deviceErrorMessage } from './device-errors.js';

interface UnlockDeviceProps {
  /** Restores the keys with the passphrase; rejects when it is wrong (the form says so). */
  readonly onUnlock: (passphrase: string) => Promise<void>;
}

/**
 * A browser new to the account: the recovery passphrase brings back the keys and the message history. Shown
 * in the messenger's lock panel (SecureGate), which has the sign-out button in its header.
 */
export function UnlockDevice({ onUnlock }: UnlockDeviceProps): ReactNode {
  const i18n = useI18n();
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const field = useRef<HTMLInputElement>(null);
  const errorId = useId();

  useEffect(() => {
    field.current?.focus();
  }, []);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onUnlock(passphrase);
    } catch (caught) {
      setError(caught);
      setBusy(false);
      field.current?.focus();
    }
  };

  const errorText = error === undefined ? undefined : deviceErrorMessage(error, i18n);
  return (
    <form
      className="device-lock-form"
      onSubmit={(event) => void submit(event)}
      aria-describedby={errorText ? errorId : undefined}
    >
      <h2>{i18n.t('device.unlockHeading')}</h2>
      <p>{i18n.t('device.unlockIntro')}</p>
      <Field label={i18n.t('device.passphrase')} hint={i18n.t('device.unlockHint')}>
        {(control) => (
          <input
            {...control}
            ref={field}
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            value={passphrase}
            onChange={(event) => setPassphrase(event.target.value)}
          />
        )}
      </Field>
      {errorText !== undefined && (
        <p id={errorId} className="form-error" role="alert">
          {errorText}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? i18n.t('device.unlocking') : i18n.t('device.unlock')}
      </button>
    </form>
  );
}
