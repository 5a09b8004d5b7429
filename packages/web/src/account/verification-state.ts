import { useCallback, useEffect, useState } from 'react';
import type { ContactVerification } from '@enlets/client';
import type { SecureSession } from '../e2ee/secure-session.js';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';

export type VerificationState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed' }
  | { readonly status: 'ready'; readonly verification: ContactVerification };

/** What this device trusts about a contact (asked of the worker, which holds the keys); `set` after a change. */
export function useVerification(
  session: SecureSession,
  userId: string | undefined,
): { state: VerificationState; set: (verification: ContactVerification) => void } {
  const [state, setState] = useState<VerificationState>({ status: 'loading' });
  useEffect(() => {
    if (userId === undefined) return undefined;
    let cancelled = false;
    setState({ status: 'loading' });
    session.contactVerification(userId).then(
      (verification) => {
        if (!cancelled) setState({ status: 'ready', verification });
      },
      () => {
        if (!cancelled) setState({ status: 'failed' });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session, userId]);
  const set = useCallback(
    (verification: ContactVerification) => setState({ status: 'ready', verification }),
    [],
  );
  return { state, set };
}

/** The short label of a contact's verification state. */
export const STATE_LABELS: Readonly<Record<ContactVerification['state'], Exclude<MessageKey, PluralKey>>> = {
  verified: 'account.verify.stateVerified',
  unverified: 'account.verify.stateUnverified',
  changed: 'account.verify.stateChanged',
  unknown: 'account.verify.stateUnknown',
};
