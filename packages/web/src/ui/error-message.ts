import { EnletsApiError } from '@enlets/client';
import type { ErrorCode } from '@enlets/protocol';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/i18n.js';

/** The refusals a person can act on; every other code means a bug or a state only trying again can fix. */
const MESSAGES: Partial<Readonly<Record<ErrorCode | 'NETWORK', Exclude<MessageKey, PluralKey>>>> = {
  NETWORK: 'error.network',
  INVALID_CREDENTIALS: 'error.invalidCredentials',
  SECOND_FACTOR_INVALID: 'error.secondFactorInvalid',
  ACCOUNT_NOT_ACTIVE: 'error.accountNotActive',
};
const THROTTLED: ReadonlySet<string> = new Set<ErrorCode>(['RATE_LIMITED', 'LOGIN_THROTTLED']);

/** What to tell a person about a failed call; the server's own message is for developers, not shown. */
export function errorMessage(error: unknown, i18n: Translator): string {
  if (!(error instanceof EnletsApiError)) return i18n.t('error.unexpected');
  if (THROTTLED.has(error.code)) {
    const seconds = error.details?.['retryAfterSeconds'];
    return i18n.plural('error.rateLimited', typeof seconds === 'number' ? seconds : 60);
  }
  return i18n.t(MESSAGES[error.code] ?? 'error.unexpected');
}
