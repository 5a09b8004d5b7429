import { Emitter } from '@enlets/client';
import type { SecureSession } from '../e2ee/secure-session.js';

/**
 * "Open this conversation": the chat pane (a broadcast's "Reply privately") asks the messenger to show
 * another conversation, which the sidebar's actions own (they reload the list and select it). One signal per
 * session, like conversations/conversation-changes.ts, so no callback has to be threaded through the chat.
 */
const signals = new WeakMap<SecureSession, Emitter<{ open: string }>>();

function signalOf(session: SecureSession): Emitter<{ open: string }> {
  let signal = signals.get(session);
  if (signal === undefined) {
    signal = new Emitter();
    signals.set(session, signal);
  }
  return signal;
}

export function requestOpenConversation(session: SecureSession, conversationId: string): void {
  signalOf(session).emit('open', conversationId);
}

export function onOpenConversationRequested(
  session: SecureSession,
  listener: (conversationId: string) => void,
): () => void {
  return signalOf(session).on('open', listener);
}
