import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/browser';
import { EnletsApiError, type EnletsHttpClient, type MeResponse } from '@enlets/client';
import type {
  LoginResponse,
  PasskeyCreationOptions,
  PasskeyInfo,
  PasskeyListResponse,
  PasskeyRegistrationOptionsResponse,
  PasskeySignInOptionsResponse,
} from '@enlets/protocol';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/i18n.js';
import { DEVICE_LABEL, deviceId } from '../session/sign-in.js';
import { errorMessage } from '../ui/error-message.js';

/*
 * Passkeys from the page (docs/decisions/0019-passkeys.md). The browser's WebAuthn prompt runs on the page (it
 * cannot run in a worker); no key material is involved on our side: the authenticator keeps the private key,
 * the server checks the signature. None of this touches the end-to-end encryption keys, which stay in the
 * secure worker: a passkey opens a session, and a new browser still recovers its keys with the passphrase.
 */

export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

/**
 * Signs in with a discoverable passkey: no e-mail address, the authenticator offers the passkeys it has for
 * this site and the chosen one names the account. A cookie session, like the password sign-in.
 */
export async function signInWithPasskey(http: EnletsHttpClient): Promise<MeResponse> {
  const { options } = await http.post<PasskeySignInOptionsResponse>('/auth/passkey/options');
  const credential = await startAuthentication({ optionsJSON: options });
  const id = deviceId();
  const response = await http.post<LoginResponse>('/auth/passkey/login', {
    credential,
    session: 'cookie',
    deviceLabel: DEVICE_LABEL,
    ...(id === undefined ? {} : { deviceId: id }),
  });
  return response.user;
}

const TRANSPORTS: ReadonlySet<string> = new Set<AuthenticatorTransport>([
  'ble',
  'hybrid',
  'internal',
  'nfc',
  'usb',
]);

/** The server's creation options as the browser library types them (unknown transport names left out). */
function creationOptions(options: PasskeyCreationOptions): PublicKeyCredentialCreationOptionsJSON {
  return {
    ...options,
    excludeCredentials: options.excludeCredentials.map((c) => ({
      id: c.id,
      type: c.type,
      ...(c.transports === undefined
        ? {}
        : {
            transports: c.transports.filter((t): t is AuthenticatorTransport => TRANSPORTS.has(t)),
          }),
    })),
    hints: [],
  };
}

export interface NewPasskey {
  readonly name: string;
  readonly currentPassword: string;
  /** A TOTP or recovery code; needed when the account has two-factor authentication on. */
  readonly code?: string;
}

/** Adds a passkey: re-authentication and a challenge from the server, the browser's prompt, then the check. */
export async function addPasskey(http: EnletsHttpClient, input: NewPasskey): Promise<PasskeyInfo> {
  const code = input.code?.trim();
  const { options } = await http.post<PasskeyRegistrationOptionsResponse>('/me/passkeys/options', {
    currentPassword: input.currentPassword,
    ...(code === undefined || code === ''
      ? {}
      : { code: /^[0-9]{6}$/.test(code) ? code : code.toLowerCase() }),
  });
  const credential = await startRegistration({ optionsJSON: creationOptions(options) });
  return http.post<PasskeyInfo>('/me/passkeys', { name: input.name.trim(), credential });
}

export async function listPasskeys(http: EnletsHttpClient): Promise<readonly PasskeyInfo[]> {
  return (await http.get<PasskeyListResponse>('/me/passkeys')).passkeys;
}

export async function removePasskey(http: EnletsHttpClient, id: string): Promise<void> {
  await http.delete(`/me/passkeys/${encodeURIComponent(id)}`);
}

type Key = Exclude<MessageKey, PluralKey>;

const API_MESSAGES: Readonly<Record<string, Key>> = {
  PASSKEY_UNKNOWN: 'passkeys.error.unknown',
  PASSKEY_CLONE_SUSPECTED: 'passkeys.error.cloneSuspected',
  PASSKEY_VERIFICATION_FAILED: 'passkeys.error.failed',
  PASSKEY_CHALLENGE_INVALID: 'passkeys.error.expired',
  SECOND_FACTOR_REQUIRED: 'passkeys.error.codeRequired',
  INVALID_CREDENTIALS: 'passkeys.error.wrongPassword',
};

/** What to tell a person about a failed passkey step: the browser's refusals, then the server's codes. */
export function passkeyErrorMessage(error: unknown, i18n: Translator): string {
  if (error instanceof EnletsApiError) {
    if (error.code === 'CONFLICT') {
      const reason = error.details?.['reason'];
      if (reason === 'passkey_limit') return i18n.t('passkeys.error.limit');
      if (reason === 'passkey_exists') return i18n.t('passkeys.error.exists');
    }
    const key = API_MESSAGES[error.code];
    return key === undefined ? errorMessage(error, i18n) : i18n.t(key);
  }
  if (error instanceof Error) {
    // The WebAuthn prompt was dismissed, timed out, or the user declined (browsers do not say which).
    if (error.name === 'NotAllowedError' || error.name === 'AbortError')
      return i18n.t('passkeys.error.cancelled');
    if (error.name === 'InvalidStateError') return i18n.t('passkeys.error.exists');
    if (/not supported/i.test(error.message)) return i18n.t('passkeys.error.unsupported');
  }
  return errorMessage(error, i18n);
}
