import { Emitter } from '@enlets/client';
import type { SecureSession } from '../e2ee/secure-session.js';

/**
 * "The conversation list is out of date": the settings panel (in the chat pane) joined, left or changed a
 * conversation, and the list (in the sidebar) should load again. One signal per session, so the two screens
 * need no wiring through the messenger between them.
 */
const signals = new WeakMap<SecureSession, Emitter<{ changed: undefined }>>();

function signalOf(session: SecureSession): Emitter<{ changed: undefined }> {
  let signal = signals.get(session);
  if (signal === undefined) {
    signal = new Emitter();
    signals.set(session, signal);
  }
  return signal;
}

export function announceConversationsChanged(session: SecureSession): void {
  signalOf(session).emit('changed', undefined);
}

export function onConversationsChanged(session: SecureSession, listener: () => void): () => void {
  return signalOf(session).on('changed', listener);
}
