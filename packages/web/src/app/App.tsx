import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { useI18n } from '../i18n/I18nProvider.js';
import { Messenger } from '../messenger/Messenger.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { currentUser } from '../session/sign-in.js';
import { SignIn } from '../sign-in/SignIn.js';
import '../styles/membership.css';
import { useRoute } from './navigation.js';
import type { Route } from './routes.js';

type AppState =
  | { readonly kind: 'checking' }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'signedOut' }
  | { readonly kind: 'signedIn'; readonly user: MeResponse };

const RETRY_MS = 3_000;

// The membership screens are seldom used (once per person, or by the few vetters): loaded when first shown,
// they keep the messenger's initial script small.
const Activation = lazy(() => import('../membership/Activation.js').then((m) => ({ default: m.Activation })));
const ApplyForm = lazy(() => import('../membership/ApplyForm.js').then((m) => ({ default: m.ApplyForm })));
const FirstAdminSetup = lazy(() =>
  import('../membership/FirstAdminSetup.js').then((m) => ({ default: m.FirstAdminSetup })),
);
const VerifyEmail = lazy(() =>
  import('../membership/VerifyEmail.js').then((m) => ({ default: m.VerifyEmail })),
);
const ResetPassword = lazy(() =>
  import('../password-reset/ResetPassword.js').then((m) => ({ default: m.ResetPassword })),
);
const AdminConsole = lazy(() =>
  import('../admin/AdminConsole.js').then((m) => ({ default: m.AdminConsole })),
);
const VettingQueue = lazy(() =>
  import('../membership/VettingQueue.js').then((m) => ({ default: m.VettingQueue })),
);

/**
 * Which screen: the address for the screens mails and links lead to (routes.ts), which need no session;
 * otherwise the session cookie decides (a reload keeps you signed in until the session ends).
 */
export function App(): ReactNode {
  const i18n = useI18n();
  return (
    <Suspense
      fallback={
        <p className="app-status" role="status">
          {i18n.t('app.loading')}
        </p>
      }
    >
      <Screen />
    </Suspense>
  );
}

function Screen(): ReactNode {
  const route = useRoute();
  switch (route.kind) {
    case 'setup':
      return <FirstAdminSetup token={route.token} />;
    case 'apply':
      return <ApplyForm />;
    case 'verifyEmail':
      return <VerifyEmail token={route.token} />;
    case 'activate':
      return <Activation token={route.token} />;
    case 'resetPassword':
      return <ResetPassword token={route.token} />;
    case 'home':
    case 'vetting':
    case 'account':
    case 'admin':
      return <SessionApp route={route} />;
  }
}

/** The screens behind the session: the messenger, and the vetting queue for NCPs and the Secretariat. */
function SessionApp({
  route,
}: {
  readonly route: Extract<Route, { kind: 'home' | 'vetting' | 'account' | 'admin' }>;
}): ReactNode {
  const i18n = useI18n();
  const [state, setState] = useState<AppState>({ kind: 'checking' });

  useEffect(() => {
    if (state.kind !== 'checking' && state.kind !== 'unreachable') return;
    let cancelled = false;
    const check = (): void => {
      currentUser(cookieHttpClient())
        .then((user) => {
          if (!cancelled) setState(user === undefined ? { kind: 'signedOut' } : { kind: 'signedIn', user });
        })
        .catch(() => {
          if (cancelled) return;
          setState({ kind: 'unreachable' });
          timer = window.setTimeout(check, RETRY_MS);
        });
    };
    let timer = window.setTimeout(check, state.kind === 'checking' ? 0 : RETRY_MS);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [state.kind]);

  const signedIn = useCallback((user: MeResponse) => setState({ kind: 'signedIn', user }), []);
  const signedOut = useCallback(() => setState({ kind: 'signedOut' }), []);

  switch (state.kind) {
    case 'checking':
      return (
        <p className="app-status" role="status">
          {i18n.t('app.loading')}
        </p>
      );
    case 'unreachable':
      return (
        <p className="app-status" role="alert">
          {i18n.t('app.unreachable')}
        </p>
      );
    case 'signedOut':
      return <SignIn onSignedIn={signedIn} />;
    case 'signedIn':
      return route.kind === 'vetting' ? (
        <VettingQueue user={state.user} applicationId={route.applicationId} />
      ) : route.kind === 'admin' ? (
        <AdminConsole user={state.user} section={route.section} />
      ) : (
        <Messenger user={state.user} onSignedOut={signedOut} />
      );
  }
}
