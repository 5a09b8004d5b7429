import { useEffect, useRef, type ReactNode } from 'react';
import type { ConversationDetail } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import type { ShownContent, ShownEvent } from '../e2ee/worker-protocol.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import { safeName } from '../ui/safe-name.js';
import { GENERIC_TAG, previewTag } from './notice.js';
import { PREFERENCES_CHANGED, storedPreferences } from './preferences.js';
import {
  notificationSupport,
  showNotice,
  subscribeToPush,
  tellServiceWorkerLocale,
  type ShownNotice,
} from './push-subscription.js';

/** An event older than this when it arrives is backlog (a sync after being away), not news to announce. */
const FRESH_MS = 120_000;
/** How long what we know of a conversation (muted, names) is trusted before it is asked again. */
const CONVERSATION_TTL_MS = 15_000;
/** Characters of a message shown in a preview. */
const PREVIEW_LENGTH = 120;

interface Known {
  readonly at: number;
  readonly detail: Promise<ConversationDetail | undefined>;
}

/**
 * Notifications while the app is open (issue 5): the realtime connection brings each new message, and when
 * this tab is hidden a message from someone else in a chat that is not muted shows a system notification.
 * Without the user's opt-in it says only "New messages" (the same generic notice a push shows); with "show
 * message previews" on, the sender and the start of the decrypted text, which never leave this browser. No push
 * service is involved, so this works in browsers without one. Renders nothing.
 */
export function LiveNotifications({
  session,
  userId,
}: {
  readonly session: SecureSession;
  readonly userId: string;
}): ReactNode {
  const i18n = useI18n();
  const i18nRef = useRef(i18n);
  i18nRef.current = i18n;

  // The service worker speaks the language chosen here when a push comes while no page is open.
  useEffect(() => {
    if (notificationSupport() === 'push') void tellServiceWorkerLocale(i18n.locale).catch(() => undefined);
  }, [i18n.locale]);

  // A browser that had notifications on keeps this device's subscription current on the server (a new
  // session on this browser, a key the server replaced). Silent: the permission was given before.
  useEffect(() => {
    const { enabled } = storedPreferences(userId);
    if (!enabled || notificationSupport() !== 'push' || Notification.permission !== 'granted') return;
    void subscribeToPush(session.http).catch(() => undefined);
  }, [session, userId]);

  useEffect(() => {
    let preferences = storedPreferences(userId);
    const onPreferences = (): void => {
      preferences = storedPreferences(userId);
    };
    window.addEventListener(PREFERENCES_CHANGED, onPreferences);
    const known = new Map<string, Known>();
    const detailOf = (conversationId: string): Promise<ConversationDetail | undefined> => {
      const cached = known.get(conversationId);
      if (cached !== undefined && performance.now() - cached.at < CONVERSATION_TTL_MS) return cached.detail;
      const detail = session.http
        .get<ConversationDetail>(`/conversations/${conversationId}`)
        .catch(() => undefined);
      known.set(conversationId, { at: performance.now(), detail });
      return detail;
    };

    const onEvent = async (shown: ShownEvent): Promise<void> => {
      const { event } = shown;
      if (event.kind !== 'message' || event.senderId === null || event.senderId === userId) return;
      if (!preferences.enabled || notificationSupport() === 'none') return;
      if (Notification.permission !== 'granted') return;
      if (document.visibilityState !== 'hidden') return;
      if (Date.now() - event.createdAt > FRESH_MS) return;
      const detail = await detailOf(event.conversationId);
      // Muted chats never notify; a chat we cannot look up (just left) does not either.
      if (detail === undefined || detail.muted) return;
      await showNotice(
        preferences.preview
          ? previewNotice(i18nRef.current, detail, event.senderId, shown.content)
          : genericNotice(i18nRef.current),
      );
    };
    const off = session.on('event', (shown) => {
      onEvent(shown).catch(() => undefined);
    });
    return () => {
      off();
      window.removeEventListener(PREFERENCES_CHANGED, onPreferences);
    };
  }, [session, userId]);

  return null;
}

function genericNotice(i18n: Translator): ShownNotice {
  return {
    title: i18n.t('notifications.generic.title'),
    body: i18n.t('notifications.generic.body'),
    tag: GENERIC_TAG,
  };
}

/** "Anna" (1:1) or "Anna in Operations" (groups, channels), and the start of what she wrote. */
function previewNotice(
  i18n: Translator,
  detail: ConversationDetail,
  senderId: string,
  content: ShownContent | null,
): ShownNotice {
  const member = detail.members.find((m) => m.userId === senderId);
  const sender = safeName(member?.displayName ?? '').text || i18n.t('notifications.generic.title');
  const conversation = detail.name === null ? '' : safeName(detail.name).text;
  return {
    title:
      detail.kind === 'direct' || conversation === ''
        ? sender
        : i18n.t('notifications.preview.inConversation', { sender, conversation }),
    body: previewText(i18n, content),
    tag: previewTag(detail.id),
    conversationId: detail.id,
  };
}

function previewText(i18n: Translator, content: ShownContent | null): string {
  const text = ((): string => {
    switch (content?.type) {
      case 'text':
      case 'edit':
        return content.text;
      case 'files':
        return content.text !== undefined && content.text.trim() !== ''
          ? content.text
          : i18n.t('notifications.preview.file');
      case 'location':
        return i18n.t('notifications.preview.location');
      case 'poll':
        return i18n.t('notifications.preview.poll', { question: content.question });
      case 'reaction':
      case 'history-share':
      case undefined:
        return i18n.t('notifications.preview.undecryptable');
    }
  })();
  // One line of plain text: notifications render no markup, and a long message is cut.
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH - 1)}…` : line;
}
