import { genericNotificationText } from './messages.js';
import { GENERIC_TAG, isLocaleMessage, NOTICE_ICON } from './notice.js';

/**
 * The service worker's part of notifications (docs/decisions/0018-web-push.md). A push is a wake-up with no
 * content (the server never has any to give): the worker shows the generic "New messages" in the user's
 * language and nothing else, and a click brings the app forward, which syncs and decrypts what is new. Nothing
 * of the push is read but that it came.
 */

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
}
interface WindowClient {
  readonly url: string;
  readonly focused: boolean;
  focus(): Promise<WindowClient>;
}
export interface PushScope {
  addEventListener(type: 'push', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
  readonly registration: ServiceWorkerRegistration;
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
  };
  readonly location: { readonly origin: string };
  readonly navigator: { readonly languages: readonly string[] };
}

/** A cache of its own for the one setting the worker keeps (the shell cache is replaced with each release). */
export const SETTINGS_CACHE = 'enlets-settings-v1';
const LOCALE_KEY = '/__enlets/locale';

/** The language the page last told us, else the browser's first one we have, else English. */
async function locale(scope: PushScope): Promise<string> {
  try {
    const stored = await (await caches.open(SETTINGS_CACHE)).match(LOCALE_KEY);
    if (stored !== undefined) return await stored.text();
  } catch {
    // no storage: fall back to the browser's languages
  }
  for (const tag of scope.navigator.languages) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (['en', 'de', 'fr', 'pl'].includes(base)) return base;
  }
  return 'en';
}

async function rememberLocale(value: string): Promise<void> {
  const cache = await caches.open(SETTINGS_CACHE);
  await cache.put(LOCALE_KEY, new Response(value, { headers: { 'content-type': 'text/plain' } }));
}

/**
 * Shows the generic notice unless a window of the app has the focus (the person is looking at it; the page
 * shows what is new itself). Browsers let a push pass without a notification only in that case.
 */
async function wake(scope: PushScope): Promise<void> {
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (windows.some((client) => client.focused)) return;
  const text = genericNotificationText(await locale(scope));
  await scope.registration.showNotification(text.title, {
    body: text.body,
    tag: GENERIC_TAG,
    icon: NOTICE_ICON,
    data: {},
  });
}

/** Brings an open window of the app forward, or opens one. */
async function openApp(scope: PushScope): Promise<void> {
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const own = windows.find((client) => new URL(client.url).origin === scope.location.origin);
  if (own !== undefined) {
    await own.focus();
    return;
  }
  await scope.clients.openWindow('/');
}

export function installPushHandlers(scope: PushScope): void {
  scope.addEventListener('push', (event) => {
    event.waitUntil(wake(scope));
  });
  scope.addEventListener('notificationclick', (event) => {
    event.notification.close();
    event.waitUntil(openApp(scope));
  });
  scope.addEventListener('message', (event) => {
    if (isLocaleMessage(event.data)) event.waitUntil(rememberLocale(event.data.locale));
  });
}
