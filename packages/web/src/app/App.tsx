import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { useI18n } from '../i18n/I18nProvider.js';
import { Messenger } from '../messenger/Messenger.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { currentUser } from '../session/sign-in.js';
import { SignIn } from '../sign-in/SignIn.js';

type AppState =
  | { readonly kind: 'checking' }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'signedOut' }
  | { readonly kind: 'signedIn'; readonly user: MeResponse };

const RETRY_MS = 3_000;

/** Which screen: the session cookie decides (a reload keeps you signed in until the session ends). */
export function App(): ReactNode {
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
      return <Messenger user={state.user} onSignedOut={signedOut} />;
  }
}
