import { useEffect, useState, type ReactNode } from 'react';
import type { ConnectionState } from '@enlets/client';
import type { SecureSession } from '../e2ee/secure-session.js';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import { useI18n } from '../i18n/I18nProvider.js';

const LABELS: Readonly<Record<ConnectionState, Exclude<MessageKey, PluralKey>>> = {
  idle: 'connection.idle',
  connecting: 'connection.connecting',
  authenticating: 'connection.connecting',
  syncing: 'connection.syncing',
  live: 'connection.live',
  backoff: 'connection.backoff',
  signedOut: 'connection.signedOut',
};

/** The realtime connection's state, announced politely when it changes. */
export function ConnectionStatus({ session }: { readonly session: SecureSession }): ReactNode {
  const i18n = useI18n();
  const [state, setState] = useState<ConnectionState>(session.state);
  useEffect(() => {
    setState(session.state);
    return session.on('state', setState);
  }, [session]);
  return (
    <p className={`connection connection-${state}`} role="status" data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      <span className="visually-hidden">{i18n.t('header.connection')}: </span>
      {i18n.t(LABELS[state])}
    </p>
  );
}
