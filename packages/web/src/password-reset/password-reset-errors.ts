import { EnletsApiError } from '@enlets/client';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/i18n.js';
import { membershipErrorMessage } from '../membership/membership-errors.js';
import { PASSWORD_MIN } from '../membership/password-rules.js';

type Key = Exclude<MessageKey, PluralKey>;

/** The reset link's token as the protocol accepts it (`OpaqueToken`): anything else is a truncated link. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,128}$/;

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/**
 * PASSWORD_TOO_WEAK names the rule in `details.reason` (server domain/password-policy.ts): a person is told
 * which rule, not just "too weak". An unknown reason falls back to the general sentence.
 */
const WEAK_REASONS: Readonly<Record<string, Key>> = {
  'a commonly used password': 'passwordReset.error.common',
  'too few different characters': 'passwordReset.error.variety',
  'contains the e-mail address': 'passwordReset.error.containsEmail',
  'contains the display name': 'passwordReset.error.containsName',
};

/**
 * What to tell a person about a refused reset call. The shared refusals (rate limit with its wait, no
 * connection) and the general weak-password sentence come from the membership screens' messages.
 */
export function resetErrorMessage(error: unknown, i18n: Translator): string {
  if (error instanceof EnletsApiError) {
    if (error.code === 'TOKEN_INVALID') return i18n.t('passwordReset.error.tokenInvalid');
    // The request form's only field; the confirm form checks its own fields before sending.
    if (error.code === 'VALIDATION_FAILED') return i18n.t('passwordReset.error.email');
    if (error.code === 'PASSWORD_TOO_WEAK') {
      const reason = error.details?.['reason'];
      if (reason === 'shorter than 12 characters')
        return i18n.t('activate.passwordTooShort', { min: PASSWORD_MIN });
      const key = typeof reason === 'string' ? WEAK_REASONS[reason] : undefined;
      if (key !== undefined) return i18n.t(key);
    }
  }
  return membershipErrorMessage(error, i18n);
}
