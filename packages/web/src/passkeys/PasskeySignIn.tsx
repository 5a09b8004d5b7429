import { useId, useState, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import '../styles/passkeys.css';
import { passkeyErrorMessage, passkeysSupported, signInWithPasskey } from './passkeys-api.js';

/**
 * "Sign in with a passkey" under the password form: no e-mail address needed, the browser offers the passkeys
 * it has for this site. Not shown where the browser has no WebAuthn at all.
 */
export function PasskeySignIn({
  onSignedIn,
}: {
  readonly onSignedIn: (user: MeResponse) => void;
}): ReactNode {
  const i18n = useI18n();
  const errorId = useId();
  const [supported] = useState(passkeysSupported);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const start = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signInWithPasskey(cookieHttpClient()));
    } catch (caught) {
      setError(passkeyErrorMessage(caught, i18n));
      setBusy(false);
    }
  };

  if (!supported) return null;
  return (
    <div className="passkey-sign-in">
      <p className="passkey-divider">
        <span>{i18n.t('passkeys.signIn.or')}</span>
      </p>
      <button
        type="button"
        className="passkey-button"
        disabled={busy}
        aria-describedby={error === undefined ? undefined : errorId}
        onClick={() => void start()}
      >
        {busy ? i18n.t('passkeys.signIn.busy') : i18n.t('passkeys.signIn.button')}
      </button>
      {error !== undefined && (
        <p id={errorId} className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
