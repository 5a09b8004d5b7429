import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { useI18n } from '../i18n/I18nProvider.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { RecoverySetup } from './RecoverySetup.js';
import { UnlockDevice } from './UnlockDevice.js';
import { rememberUnlocked, wasUnlocked } from './unlocked-flag.js';

type GateState =
  | { readonly kind: 'opening' }
  | { readonly kind: 'failed' }
  | { readonly kind: 'unlock' }
  | { readonly kind: 'inUseElsewhere' }
  | { readonly kind: 'setUpRecovery' }
  | { readonly kind: 'ready' };

interface SecureGateProps {
  readonly session: SecureSession;
  readonly user: MeResponse;
  readonly onSignOut: () => void;
  readonly children: ReactNode;
}

/**
 * Nothing of the messenger shows until this browser's encryption keys are open: created on the user's first
 * device (then a recovery passphrase must be set up), restored with the passphrase on a new browser, or kept
 * from an earlier visit.
 */
export function SecureGate({ session, user, onSignOut, children }: SecureGateProps): ReactNode {
  const i18n = useI18n();
  // A returning browser shows the messenger at once; requests wait in the worker until the keys are open.
  const [state, setState] = useState<GateState>(() =>
    wasUnlocked(user.id) ? { kind: 'ready' } : { kind: 'opening' },
  );
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    session.open(user.id).then(
      (outcome) => {
        if (cancelled) return;
        const unlocked = outcome.kind === 'ready' && outcome.recoverySetUp;
        rememberUnlocked(user.id, unlocked);
        if (outcome.kind === 'passphraseRequired') setState({ kind: 'unlock' });
        else if (outcome.kind === 'inUseElsewhere') setState({ kind: 'inUseElsewhere' });
        else setState({ kind: unlocked ? 'ready' : 'setUpRecovery' });
      },
      () => {
        if (cancelled) return;
        rememberUnlocked(user.id, false);
        setState({ kind: 'failed' });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session, user.id, attempt]);

  const unlock = useCallback(
    async (passphrase: string) => {
      const outcome = await session.open(user.id, passphrase);
      if (outcome.kind !== 'ready') return;
      rememberUnlocked(user.id, outcome.recoverySetUp);
      setState({ kind: outcome.recoverySetUp ? 'ready' : 'setUpRecovery' });
    },
    [session, user.id],
  );

  switch (state.kind) {
    case 'opening':
      return (
        <p className="app-status" role="status">
          {i18n.t('device.opening')}
        </p>
      );
    case 'failed':
      return (
        <div className="app-status" role="alert">
          <p>{i18n.t('device.openFailed')}</p>
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            {i18n.t('conversations.retry')}
          </button>
        </div>
      );
    case 'inUseElsewhere':
      return (
        <div className="app-status" role="alert">
          <p>{i18n.t('device.inUseElsewhere')}</p>
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            {i18n.t('conversations.retry')}
          </button>
        </div>
      );
    case 'unlock':
      return <UnlockDevice onUnlock={unlock} onSignOut={onSignOut} />;
    case 'setUpRecovery':
      return <RecoverySetup session={session} onDone={() => setState({ kind: 'ready' })} />;
    case 'ready':
      return children;
  }
}
