import { EnletsApiError } from '@enlets/client';
import type { ErrorCode } from '@enlets/protocol';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/i18n.js';
import { errorMessage } from '../ui/error-message.js';

type Key = Exclude<MessageKey, PluralKey>;

/** The refusals of the console's calls, by the server's code; the shared ones come from `errorMessage`. */
const MESSAGES: Partial<Readonly<Record<ErrorCode | 'NETWORK', Key>>> = {
  VALIDATION_FAILED: 'admin.error.validation',
  NOT_FOUND: 'admin.error.notFound',
  FORBIDDEN: 'admin.error.forbidden',
  UNAUTHENTICATED: 'admin.error.signedOut',
  UNKNOWN_COUNTRY: 'admin.error.unknownCountry',
};

/** `CONFLICT` says why in `details.reason` (packages/server/src/domain/actions/{members,roles}.ts). */
const CONFLICTS: Readonly<Record<string, Key>> = {
  self: 'admin.error.self',
  already_suspended: 'admin.error.alreadySuspended',
  not_suspended: 'admin.error.notSuspended',
  own_admin_role: 'admin.error.ownAdminRole',
};

/**
 * What to tell the admin about a failed call. `notFound` names what NOT_FOUND means for this call (a member
 * gone, a role they do not hold, a mail that is no longer failed).
 */
export function adminErrorMessage(error: unknown, i18n: Translator, notFound?: Key): string {
  if (error instanceof EnletsApiError) {
    if (error.code === 'NOT_FOUND' && notFound !== undefined) return i18n.t(notFound);
    if (error.code === 'CONFLICT') {
      const reason = error.details?.['reason'];
      const key = typeof reason === 'string' ? CONFLICTS[reason] : undefined;
      return i18n.t(key ?? 'admin.error.conflict');
    }
    const key = MESSAGES[error.code];
    if (key !== undefined) return i18n.t(key);
  }
  return errorMessage(error, i18n);
}
