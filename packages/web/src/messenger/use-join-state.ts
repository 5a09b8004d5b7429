import { useEffect, useState } from 'react';
import type { ConversationSummary } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import type { JoinState } from '../e2ee/worker-protocol.js';

/**
 * Whether this device is in the open conversation's MLS group. Opening a conversation joins its group when this
 * device may (a conversation added while it was online); in a large group a manager's device adds it instead
 * (ADR 0021), and until then nothing new is readable here and nothing can be sent: the chat says so.
 */
export function useJoinState(session: SecureSession, conversation: ConversationSummary): JoinState {
  const [state, setState] = useState<JoinState>('member');
  const { id } = conversation;
  const hasGroup = conversation.mlsEpoch !== null;
  useEffect(() => {
    let current = true;
    setState('member');
    const off = session.on('joinState', (change) => {
      if (change.conversationId === id) setState(change.state);
    });
    session.joinState(id, hasGroup).then(
      (answer) => {
        if (current) setState(answer);
      },
      // Joining failed for another reason: the send path reports it as it always has.
      () => undefined,
    );
    return () => {
      current = false;
      off();
    };
  }, [session, id, hasGroup]);
  return state;
}
