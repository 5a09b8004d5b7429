import { useEffect, useId, useState, type ReactNode } from 'react';
import { EnletsApiError } from '@enlets/client';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import '../styles/notifications.css';
import { storedPreferences, storePreferences, type NotificationPreferences } from './preferences.js';
import {
  hasPushSubscription,
  notificationSupport,
  PushUnavailableError,
  subscribeToPush,
  tellServiceWorkerLocale,
  unsubscribeFromPush,
} from './push-subscription.js';

/** Where notifications stand in this browser for this account. */
type Status = 'unsupported' | 'denied' | 'off' | 'push' | 'app-only';

const STATUS_TEXT: Readonly<Record<Status, Exclude<MessageKey, PluralKey>>> = {
  unsupported: 'notifications.state.unsupported',
  denied: 'notifications.state.denied',
  off: 'notifications.state.off',
  push: 'notifications.state.push',
  'app-only': 'notifications.state.appOnly',
};

async function currentStatus(preferences: NotificationPreferences): Promise<Status> {
  const support = notificationSupport();
  if (support === 'none') return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  if (!preferences.enabled || Notification.permission !== 'granted') return 'off';
  return support === 'push' && (await hasPushSubscription()) ? 'push' : 'app-only';
}

/**
 * Notifications in the account screens (issue 5): turn them on (the browser's permission is asked on that
 * click, never unprompted), see whether this browser is woken by push or notified only while the app is open,
 * and choose whether notifications shown by the open app carry a preview (off by default).
 */
export function NotificationSettings({
  session,
  userId,
}: {
  readonly session: SecureSession;
  readonly userId: string;
}): ReactNode {
  const i18n = useI18n();
  const previewId = useId();
  const [preferences, setPreferences] = useState(() => storedPreferences(userId));
  const [status, setStatus] = useState<Status | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    void currentStatus(preferences).then((next) => {
      if (!cancelled) setStatus(next);
    });
    return () => {
      cancelled = true;
    };
  }, [preferences]);

  const save = (next: NotificationPreferences): void => {
    storePreferences(userId, next);
    setPreferences(next);
  };

  const turnOn = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      // Asked here, on the person's click: browsers refuse (or hide) a prompt nobody asked for.
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        setStatus(permission === 'denied' ? 'denied' : 'off');
        return;
      }
      if (notificationSupport() === 'push') {
        await tellServiceWorkerLocale(i18n.locale);
        try {
          await subscribeToPush(session.http);
        } catch (failure) {
          // No push service (e.g. Chromium without Google's): notifications still come while the app is open.
          if (!(failure instanceof PushUnavailableError)) throw failure;
        }
      }
      save({ ...preferences, enabled: true });
    } catch (failure) {
      setError(
        i18n.t(
          failure instanceof EnletsApiError && failure.code === 'PUSH_ENDPOINT_NOT_ALLOWED'
            ? 'notifications.error.refused'
            : 'notifications.error.failed',
        ),
      );
    } finally {
      setBusy(false);
    }
  };

  const turnOff = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      save({ ...preferences, enabled: false });
      await unsubscribeFromPush(session.http);
    } catch {
      // Off here already; the server drops the subscription with the session at the latest.
    } finally {
      setBusy(false);
    }
  };

  const on = status === 'push' || status === 'app-only';
  return (
    <section className="account-section notifications-settings" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">{i18n.t('notifications.heading')}</h2>
      <p className="account-hint">{i18n.t('notifications.intro')}</p>
      <p className="notifications-status" role="status" data-status={status}>
        {status === undefined ? '' : i18n.t(STATUS_TEXT[status])}
      </p>
      {status !== undefined && status !== 'unsupported' && status !== 'denied' && (
        <button type="button" disabled={busy} onClick={() => void (on ? turnOff() : turnOn())}>
          {busy
            ? i18n.t('notifications.working')
            : i18n.t(on ? 'notifications.turnOff' : 'notifications.turnOn')}
        </button>
      )}
      {error !== undefined && (
        <p className="account-error" role="alert">
          {error}
        </p>
      )}
      <div className="account-check">
        <input
          id={previewId}
          type="checkbox"
          checked={preferences.preview}
          disabled={!on}
          aria-describedby={`${previewId}-hint`}
          onChange={(event) => save({ ...preferences, preview: event.target.checked })}
        />
        <label htmlFor={previewId}>{i18n.t('notifications.preview.label')}</label>
      </div>
      <p id={`${previewId}-hint`} className="account-hint">
        {i18n.t('notifications.preview.hint')}
      </p>
    </section>
  );
}
