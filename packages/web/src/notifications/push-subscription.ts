import type { EnletsHttpClient } from '@enlets/client';
import type { PushSubscriptionRequest, VapidPublicKeyResponse } from '@enlets/protocol';
import { NOTICE_ICON, type LocaleMessage } from './notice.js';

/**
 * The browser's side of Web Push (docs/decisions/0018-web-push.md): the service worker's push subscription,
 * made with the server's VAPID key and handed to the server for this device (login session). What arrives by
 * push is only a wake-up; the service worker shows a generic notice and the app, once opened, fetches and
 * decrypts what is new.
 */

/** What this browser can do: notifications and pushes, notifications only (while the app is open), or none. */
export type NotificationSupport = 'push' | 'notifications-only' | 'none';

export function notificationSupport(): NotificationSupport {
  if (typeof Notification === 'undefined') return 'none';
  if (!('serviceWorker' in navigator) || typeof PushManager === 'undefined') return 'notifications-only';
  return 'push';
}

/** The service worker's registration, if one controls or is installing for this page (none in development). */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  if (!('serviceWorker' in navigator)) return undefined;
  return (await navigator.serviceWorker.getRegistration('/')) ?? undefined;
}

/** Waits for the active service worker for a little while: it is installed at load, so it is usually there. */
async function activeRegistration(timeoutMs = 10_000): Promise<ServiceWorkerRegistration | undefined> {
  if ((await registration()) === undefined) return undefined;
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs)),
  ]);
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function toBase64Url(bytes: ArrayBuffer | null): string {
  if (bytes === null) return '';
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function sameKey(a: ArrayBuffer | null, b: Uint8Array): boolean {
  if (a === null || a.byteLength !== b.length) return false;
  const view = new Uint8Array(a);
  return view.every((byte, index) => byte === b[index]);
}

/** Thrown when the browser has no push service it can reach (no Google services on Chromium, for one). */
export class PushUnavailableError extends Error {
  override readonly name = 'PushUnavailableError';
}

/**
 * Subscribes this browser with the server's VAPID key (replacing a subscription made under another key) and
 * registers the subscription for this device. Throws PushUnavailableError when the browser cannot get a push
 * subscription; an EnletsApiError when the server refuses it.
 */
export async function subscribeToPush(http: EnletsHttpClient, timeoutMs = 20_000): Promise<void> {
  const registered = await activeRegistration();
  if (registered === undefined) throw new PushUnavailableError('no service worker');
  const { publicKey } = await http.get<VapidPublicKeyResponse>('/push/vapid-public-key');
  const serverKey = fromBase64Url(publicKey);
  let subscription = await registered.pushManager.getSubscription();
  if (subscription !== null && !sameKey(subscription.options.applicationServerKey, serverKey)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  if (subscription === null) {
    try {
      subscription = await Promise.race([
        registered.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: serverKey }),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new PushUnavailableError('the push service did not answer')), timeoutMs),
        ),
      ]);
    } catch (error) {
      if (error instanceof PushUnavailableError) throw error;
      throw new PushUnavailableError(error instanceof Error ? error.message : 'subscribe failed');
    }
  }
  const body: PushSubscriptionRequest = {
    endpoint: subscription.endpoint,
    expirationTime: subscription.expirationTime,
    keys: {
      p256dh: toBase64Url(subscription.getKey('p256dh')),
      auth: toBase64Url(subscription.getKey('auth')),
    },
  };
  await http.put('/me/push-subscription', body);
}

/** Whether this browser holds a push subscription now. */
export async function hasPushSubscription(): Promise<boolean> {
  const registered = await registration();
  if (registered === undefined || typeof PushManager === 'undefined') return false;
  return (await registered.pushManager.getSubscription().catch(() => null)) !== null;
}

/** Ends the browser's subscription and this device's on the server (best effort for the browser's part). */
export async function unsubscribeFromPush(http: EnletsHttpClient): Promise<void> {
  const registered = await registration();
  const subscription = await registered?.pushManager.getSubscription().catch(() => null);
  await subscription?.unsubscribe().catch(() => false);
  await http.delete('/me/push-subscription');
}

/** Tells the service worker the language chosen here (it keeps it for pushes that arrive while no page is open). */
export async function tellServiceWorkerLocale(locale: string): Promise<void> {
  const registered = await registration();
  const worker = registered?.active ?? registered?.waiting ?? registered?.installing;
  const message: LocaleMessage = { type: 'enlets-locale', locale };
  worker?.postMessage(message);
}

export interface ShownNotice {
  readonly title: string;
  readonly body: string;
  /** Notices with the same tag replace each other: one per conversation (previews) or one in all (generic). */
  readonly tag: string;
  readonly conversationId?: string;
}

/**
 * Shows a system notification from the page. Through the service worker's registration when there is one
 * (Chrome on Android refuses `new Notification`, and a click then reaches the worker's handler), else directly.
 */
export async function showNotice(notice: ShownNotice): Promise<void> {
  const options: NotificationOptions = {
    body: notice.body,
    tag: notice.tag,
    icon: NOTICE_ICON,
    data: notice.conversationId === undefined ? {} : { conversationId: notice.conversationId },
  };
  const registered = await registration();
  if (registered?.active != null) {
    await registered.showNotification(notice.title, options);
    return;
  }
  const shown = new Notification(notice.title, options);
  shown.onclick = () => {
    window.focus();
    shown.close();
  };
}
