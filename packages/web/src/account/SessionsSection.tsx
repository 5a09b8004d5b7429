import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { RevokeOthersResponse, SessionInfo, SessionListResponse } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import { ConfirmStep } from '../ui/ConfirmStep.js';
import { errorMessage } from '../ui/error-message.js';
import { describeUserAgent } from './user-agent.js';

export type SessionsState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly message: string }
  | { readonly status: 'ready'; readonly sessions: readonly SessionInfo[] };

/** The user's live sessions, this one first, then the most recently used; `reload` after a change. */
export function useSessions(session: SecureSession): { state: SessionsState; reload: () => Promise<void> } {
  const i18n = useI18n();
  const [state, setState] = useState<SessionsState>({ status: 'loading' });
  const reload = useCallback(async () => {
    try {
      const { sessions } = await session.http.get<SessionListResponse>('/me/sessions');
      const ordered = [...sessions].sort(
        (a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt - a.lastUsedAt,
      );
      setState({ status: 'ready', sessions: ordered });
    } catch (error) {
      setState({ status: 'failed', message: errorMessage(error, i18n) });
    }
  }, [session, i18n]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { state, reload };
}

/** What a session is called in the list: the label it signed in with, else its browser and system. */
export function sessionLabel(info: SessionInfo, i18n: Translator): string {
  if (info.deviceLabel !== null && info.deviceLabel !== '') return info.deviceLabel;
  const described = describeUserAgent(info.userAgent);
  if (described === undefined) return i18n.t('account.sessions.unknown');
  if (described.browser === '' || described.system === '') return described.browser + described.system;
  return i18n.t('account.sessions.browserOn', described);
}

interface SessionsSectionProps {
  readonly session: SecureSession;
  readonly state: SessionsState;
  readonly reload: () => Promise<void>;
}

/**
 * Where the user is signed in, with remote sign-out: of one session (a lost laptop) or of all the others. A
 * signed-out session's device is dropped from the user's groups by the next member who sends there.
 */
export function SessionsSection({ session, state, reload }: SessionsSectionProps): ReactNode {
  const i18n = useI18n();
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ readonly kind: 'done' | 'error'; readonly text: string }>();
  const heading = useRef<HTMLHeadingElement>(null);

  const act = async (work: () => Promise<string>): Promise<void> => {
    setBusy(true);
    try {
      const text = await work();
      setOutcome({ kind: 'done', text });
      await reload();
    } catch (error) {
      setOutcome({ kind: 'error', text: errorMessage(error, i18n) });
    } finally {
      setBusy(false);
      setConfirming(undefined);
      // The row that had focus is gone: back to the section, where the outcome is announced.
      heading.current?.focus();
    }
  };
  const signOutOne = (info: SessionInfo): Promise<void> =>
    act(async () => {
      await session.http.delete(`/me/sessions/${encodeURIComponent(info.id)}`);
      return i18n.t('account.sessions.signedOutOne', { name: sessionLabel(info, i18n) });
    });
  const signOutOthers = (): Promise<void> =>
    act(async () => {
      const { revoked } = await session.http.post<RevokeOthersResponse>('/me/sessions/revoke-others', {});
      return i18n.plural('account.sessions.signedOutOthers', revoked);
    });

  const cancel = (trigger: string): void => {
    setConfirming(undefined);
    // Back on the button that asked, once it is there again.
    requestAnimationFrame(() => document.getElementById(trigger)?.focus());
  };
  const others = state.status === 'ready' ? state.sessions.filter((s) => !s.current).length : 0;
  return (
    <section className="account-section" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" ref={heading} tabIndex={-1}>
        {i18n.t('account.sessions.heading')}
      </h2>
      <p className="account-hint">{i18n.t('account.sessions.intro')}</p>
      <p role="status" className={outcome?.kind === 'error' ? 'account-error' : 'account-done'}>
        {outcome?.text}
      </p>
      {state.status === 'loading' && <p>{i18n.t('app.loading')}</p>}
      {state.status === 'failed' && <p role="alert">{state.message}</p>}
      {state.status === 'ready' && (
        <ul className="account-list">
          {state.sessions.map((info) => {
            const label = sessionLabel(info, i18n);
            return (
              <li key={info.id} className={info.current ? 'account-item is-current' : 'account-item'}>
                <div className="account-item-main">
                  <p className="account-item-title">
                    <span>{label}</span>
                    {info.current && (
                      <span className="account-badge">{i18n.t('account.sessions.thisBrowser')}</span>
                    )}
                  </p>
                  <dl className="account-facts">
                    <dt>{i18n.t('account.sessions.created')}</dt>
                    <dd>{i18n.formatDateTime(info.createdAt)}</dd>
                    <dt>{i18n.t('account.sessions.lastUsed')}</dt>
                    <dd>{i18n.formatDateTime(info.lastUsedAt)}</dd>
                    <dt>{i18n.t('account.sessions.userAgent')}</dt>
                    <dd className="account-user-agent">
                      {info.userAgent ?? i18n.t('account.sessions.unknown')}
                    </dd>
                  </dl>
                </div>
                {!info.current &&
                  (confirming === info.id ? (
                    <ConfirmStep
                      question={i18n.t('account.sessions.confirm', { name: label })}
                      confirmLabel={i18n.t('account.sessions.confirmYes')}
                      cancelLabel={i18n.t('account.cancel')}
                      busy={busy}
                      onConfirm={() => void signOutOne(info)}
                      onCancel={() => cancel(triggerId(info.id))}
                    />
                  ) : (
                    <button type="button" id={triggerId(info.id)} onClick={() => setConfirming(info.id)}>
                      {i18n.t('account.sessions.signOut')}
                      <span className="visually-hidden"> {label}</span>
                    </button>
                  ))}
              </li>
            );
          })}
        </ul>
      )}
      {others > 0 &&
        (confirming === OTHERS ? (
          <ConfirmStep
            question={i18n.plural('account.sessions.confirmOthers', others)}
            confirmLabel={i18n.t('account.sessions.confirmYes')}
            cancelLabel={i18n.t('account.cancel')}
            busy={busy}
            onConfirm={() => void signOutOthers()}
            onCancel={() => cancel(triggerId(OTHERS))}
          />
        ) : (
          <button type="button" id={triggerId(OTHERS)} onClick={() => setConfirming(OTHERS)}>
            {i18n.t('account.sessions.signOutOthers')}
          </button>
        ))}
    </section>
  );
}

const OTHERS = 'others';

function triggerId(sessionId: string): string {
  return `sign-out-${sessionId}`;
}
