import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { useI18n } from '../i18n/I18nProvider.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import '../styles/device-lock.css';
import { Icon } from '../ui/icons.js';
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
  /**
   * The messenger, given the lock panel while this browser's keys are not open (undefined once they are). Locked,
   * it may show only what the session reads from the server without keys (the conversation list: names, kinds,
   * counts, favourites) and must show the panel prominently; messages are the worker's, which answers nothing
   * that needs a key before the passphrase step is done.
   */
  readonly children: (lock: ReactNode | undefined) => ReactNode;
}

/**
 * No message shows until this browser's encryption keys are open: created on the user's first device (then a
 * recovery passphrase must be set up), restored with the passphrase on a new browser, or kept from an earlier
 * visit. Until then the messenger is locked: the conversation list is there at once, next to the passphrase
 * form, so a new browser does not wait for the keys to show what the server already lets it read.
 */
export function SecureGate({ session, user, children }: SecureGateProps): ReactNode {
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
  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  const recovered = useCallback(() => {
    rememberUnlocked(user.id, true);
    setState({ kind: 'ready' });
  }, [user.id]);

  if (state.kind === 'ready') return children(undefined);
  return children(
    <DeviceLock state={state} session={session} onUnlock={unlock} onRetry={retry} onSetUp={recovered} />,
  );
}

interface DeviceLockProps {
  readonly state: Exclude<GateState, { readonly kind: 'ready' }>;
  readonly session: SecureSession;
  readonly onUnlock: (passphrase: string) => Promise<void>;
  readonly onRetry: () => void;
  readonly onSetUp: () => void;
}

/** The lock panel: says plainly that messages are locked, and holds the step that unlocks them. */
function DeviceLock({ state, session, onUnlock, onRetry, onSetUp }: DeviceLockProps): ReactNode {
  const i18n = useI18n();
  return (
    <section className="device-lock" aria-label={i18n.t('device.lockedLabel')}>
      <p className="device-lock-notice">
        <Icon name="lock" />
        <strong>
          {i18n.t(
            state.kind === 'unlock'
              ? 'device.lockedUntilUnlocked'
              : state.kind === 'setUpRecovery'
                ? 'device.lockedUntilSetUp'
                : 'device.locked',
          )}
        </strong>
      </p>
      {state.kind === 'opening' && (
        <p className="device-lock-status" role="status">
          {i18n.t('device.opening')}
        </p>
      )}
      {state.kind === 'failed' && (
        <div className="device-lock-status" role="alert">
          <p>{i18n.t('device.openFailed')}</p>
          <button type="button" onClick={onRetry}>
            {i18n.t('conversations.retry')}
          </button>
        </div>
      )}
      {state.kind === 'inUseElsewhere' && (
        <div className="device-lock-status" role="alert">
          <p>{i18n.t('device.inUseElsewhere')}</p>
          <button type="button" onClick={onRetry}>
            {i18n.t('conversations.retry')}
          </button>
        </div>
      )}
      {state.kind === 'unlock' && <UnlockDevice onUnlock={onUnlock} />}
      {state.kind === 'setUpRecovery' && <RecoverySetup session={session} onDone={onSetUp} />}
    </section>
  );
}
