import type { ReactNode } from 'react';
import type { ContactVerification } from '@enlets/client';
import { useI18n } from '../i18n/I18nProvider.js';
import { STATE_LABELS } from './verification-state.js';

const MARKS: Readonly<Record<ContactVerification['state'], string>> = {
  verified: '✓',
  unverified: '○',
  changed: '⚠',
  unknown: '?',
};

/** A contact's verification state as a mark and a word (never colour alone). */
export function VerificationBadge({ state }: { readonly state: ContactVerification['state'] }): ReactNode {
  const i18n = useI18n();
  return (
    <span className={`verification-badge is-${state}`}>
      <span aria-hidden="true">{MARKS[state]}</span> {i18n.t(STATE_LABELS[state])}
    </span>
  );
}
