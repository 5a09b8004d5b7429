import type { ConversationSummary } from '@enlets/protocol';
import type { Translator } from '../i18n/i18n.js';

/** A conversation's name as people see it: its own, the other person's for 1:1, or a neutral fallback. */
export function conversationTitle(
  conversation: ConversationSummary,
  directNames: ReadonlyMap<string, string>,
  i18n: Translator,
): string {
  if (conversation.name !== null && conversation.name !== '') return conversation.name;
  if (conversation.kind === 'direct') {
    return directNames.get(conversation.id) ?? i18n.t('conversations.directFallback');
  }
  return i18n.t('conversations.untitled');
}
