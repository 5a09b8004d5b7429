import { useEffect, useState, type ReactNode } from 'react';
import type { OwnDeviceList } from '@enlets/client';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { sessionLabel, type SessionsState } from './SessionsSection.js';

type DevicesState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed' }
  | { readonly status: 'ready'; readonly list: OwnDeviceList };

/**
 * The user's end-to-end encrypted devices as their signed device list names them (ADR 0011): the list the
 * contacts' apps check every device against. Each shows the fingerprint of its signing key and the session it
 * belongs to (a device is a sign-in); the list is re-read when the sessions change.
 */
export function DevicesSection({
  session,
  sessions,
}: {
  readonly session: SecureSession;
  readonly sessions: SessionsState;
}): ReactNode {
  const i18n = useI18n();
  const [state, setState] = useState<DevicesState>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    session.ownDevices().then(
      (list) => {
        if (!cancelled) setState({ status: 'ready', list });
      },
      () => {
        if (!cancelled) setState({ status: 'failed' });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session, sessions]);

  const live = sessions.status === 'ready' ? sessions.sessions : [];
  return (
    <section className="account-section" aria-labelledby="devices-heading">
      <h2 id="devices-heading">{i18n.t('account.devices.heading')}</h2>
      <p className="account-hint">{i18n.t('account.devices.intro')}</p>
      {state.status === 'loading' && <p>{i18n.t('app.loading')}</p>}
      {state.status === 'failed' && <p role="alert">{i18n.t('account.devices.failed')}</p>}
      {state.status === 'ready' && state.list.devices.length === 0 && <p>{i18n.t('account.devices.none')}</p>}
      {state.status === 'ready' && state.list.devices.length > 0 && (
        <ul className="account-list">
          {state.list.devices.map((device) => {
            const info = live.find((s) => s.id === device.deviceId);
            return (
              <li
                key={device.deviceId}
                className={info?.current === true ? 'account-item is-current' : 'account-item'}
              >
                <div className="account-item-main">
                  <p className="account-item-title">
                    <span>
                      {info === undefined ? i18n.t('account.devices.signedOut') : sessionLabel(info, i18n)}
                    </span>
                    {info?.current === true && (
                      <span className="account-badge">{i18n.t('account.sessions.thisBrowser')}</span>
                    )}
                    <span className="account-badge is-signed">{i18n.t('account.devices.signed')}</span>
                  </p>
                  <dl className="account-facts">
                    <dt>{i18n.t('account.devices.fingerprint')}</dt>
                    <dd>
                      <code className="fingerprint">{device.fingerprint}</code>
                    </dd>
                  </dl>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {state.status === 'ready' && (
        <p className="account-hint">
          {i18n.t('account.devices.version', { version: state.list.version })}{' '}
          {state.list.retired.length > 0 && i18n.plural('account.devices.retired', state.list.retired.length)}
        </p>
      )}
    </section>
  );
}
