import { lazy, Suspense, type ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import type { AccountScreensProps } from './AccountScreens.js';

// Seldom opened, and the QR code library comes with it: loaded when first shown.
const AccountScreens = lazy(() => import('./AccountScreens.js').then((m) => ({ default: m.AccountScreens })));

/** The account screens behind the messenger's secure session, loaded on demand. */
export function AccountRoute(props: AccountScreensProps): ReactNode {
  const i18n = useI18n();
  return (
    <Suspense
      fallback={
        <p className="app-status" role="status">
          {i18n.t('app.loading')}
        </p>
      }
    >
      <AccountScreens {...props} />
    </Suspense>
  );
}
