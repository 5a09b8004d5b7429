import { EnletsApiError } from '@enlets/client';
import type { ErrorCode } from '@enlets/protocol';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/i18n.js';
import { errorMessage } from '../ui/error-message.js';

/** The refusals of the membership flows, by the server's code; the shared ones come from `errorMessage`. */
const MESSAGES: Partial<Readonly<Record<ErrorCode | 'NETWORK', Exclude<MessageKey, PluralKey>>>> = {
  VALIDATION_FAILED: 'membership.error.validation',
  TOKEN_INVALID: 'membership.error.tokenInvalid',
  PASSWORD_TOO_WEAK: 'membership.error.passwordTooWeak',
  SETUP_ALREADY_DONE: 'membership.error.setupDone',
  SECOND_FACTOR_INVALID: 'membership.error.totpInvalid',
  SECOND_FACTOR_ENROLMENT_REQUIRED: 'membership.error.totpRequired',
  UNKNOWN_COUNTRY: 'membership.error.unknownCountry',
  UNKNOWN_AGENCY: 'membership.error.unknownAgency',
  APPLICATION_NOT_PENDING: 'vetting.error.notPending',
  CONFLICT_SELF_VETTING: 'vetting.error.selfVetting',
  NOT_FOUND: 'vetting.error.notFound',
  FORBIDDEN: 'vetting.error.forbidden',
  UNAUTHENTICATED: 'vetting.error.signedOut',
};

/** `CONFLICT` says why in `details.reason`. */
const CONFLICTS: Readonly<Record<string, Exclude<MessageKey, PluralKey>>> = {
  email_taken: 'membership.error.emailTaken',
};

/** What to tell a person about a failed membership call. */
export function membershipErrorMessage(error: unknown, i18n: Translator): string {
  if (error instanceof EnletsApiError) {
    if (error.code === 'CONFLICT') {
      const reason = error.details?.['reason'];
      const key = typeof reason === 'string' ? CONFLICTS[reason] : undefined;
      if (key !== undefined) return i18n.t(key);
    }
    const key = MESSAGES[error.code];
    if (key !== undefined) return i18n.t(key);
  }
  return errorMessage(error, i18n);
}

/** The server's error code, for a screen that reacts to one (e.g. a weak password sends back a step). */
export function errorCode(error: unknown): string | undefined {
  return error instanceof EnletsApiError ? error.code : undefined;
}
