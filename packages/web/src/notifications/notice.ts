/** What the page and the service worker agree on about notifications (both import it; nothing else here). */

/** The app's icon, shown with every notification. */
export const NOTICE_ICON = '/favicon.svg';

/** The tag of the generic "New messages" notice: a newer one replaces it, so there is never a pile of them. */
export const GENERIC_TAG = 'enlets-new-messages';

/** The tag of a preview notice: one per conversation. */
export function previewTag(conversationId: string): string {
  return `enlets-chat-${conversationId}`;
}

/** The message the page posts so the service worker speaks the user's language in its notifications. */
export interface LocaleMessage {
  readonly type: 'enlets-locale';
  readonly locale: string;
}

export function isLocaleMessage(value: unknown): value is LocaleMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { type, locale } = value as { type?: unknown; locale?: unknown };
  return type === 'enlets-locale' && typeof locale === 'string' && /^[a-z]{2}$/.test(locale);
}
