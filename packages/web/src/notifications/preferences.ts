/**
 * What the user chose about notifications in this browser, per account (two people may share a browser, one
 * after the other). Kept in localStorage: it is a preference of this browser, not of the account, and holds no
 * content.
 */

export interface NotificationPreferences {
  /** Notifications turned on here (by a click: the browser's permission is asked on that gesture). */
  readonly enabled: boolean;
  /** Show the sender and the start of the message, while the app is open. Off unless the user turns it on. */
  readonly preview: boolean;
}

const key = (userId: string): string => `enlets.notifications.${userId}`;

export function storedPreferences(userId: string): NotificationPreferences {
  try {
    const raw: unknown = JSON.parse(window.localStorage.getItem(key(userId)) ?? '{}');
    const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    return { enabled: value['enabled'] === true, preview: value['preview'] === true };
  } catch {
    return { enabled: false, preview: false };
  }
}

export function storePreferences(userId: string, preferences: NotificationPreferences): void {
  try {
    window.localStorage.setItem(key(userId), JSON.stringify(preferences));
    // Other parts of this page (the live notifier) follow the change at once.
    window.dispatchEvent(new CustomEvent(PREFERENCES_CHANGED));
  } catch {
    // storage disabled: the choice is not kept
  }
}

/** Dispatched on `window` when the preferences changed on this page. */
export const PREFERENCES_CHANGED = 'enlets-notification-preferences';
