import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/i18n.js';
import { SecureSessionError } from '../e2ee/secure-session.js';

/** Refusals of the key and recovery steps, by the worker's error class name. */
const BY_NAME: Readonly<Record<string, Exclude<MessageKey, PluralKey>>> = {
  WrongPassphraseError: 'device.wrongPassphrase',
  RecoveryPassphraseTooWeakError: 'device.passphraseTooWeak',
};

export function deviceErrorMessage(error: unknown, i18n: Translator): string {
  if (!(error instanceof SecureSessionError)) return i18n.t('error.unexpected');
  if (error.code === 'NETWORK') return i18n.t('error.network');
  return i18n.t(BY_NAME[error.name] ?? 'error.unexpected');
}
