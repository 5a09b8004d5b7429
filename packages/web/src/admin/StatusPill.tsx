import type { ReactNode } from 'react';
import type { AccountStatus } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';

/** An account's status as a word in a pill (never colour alone). */
export function StatusPill({ status }: { readonly status: AccountStatus }): ReactNode {
  const i18n = useI18n();
  return <span className={`status-pill account-${status}`}>{i18n.t(`admin.status.${status}`)}</span>;
}
