import { useEffect, useState } from 'react';
import type { ConversationDetail } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';

export interface Contact {
  readonly userId: string;
  readonly displayName: string;
}

export type ContactsState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed' }
  | { readonly status: 'ready'; readonly contacts: readonly Contact[] };

/** Conversations read for their members; a user in more has contacts in these already. */
const MAX_CONVERSATIONS = 40;

/**
 * The people the user can verify: the members of their 1:1 and group conversations (the same people who see
 * their presence), by name. Channels and broadcasts are left out: their members are the whole network.
 */
export async function loadContacts(session: SecureSession, ownUserId: string): Promise<Contact[]> {
  const conversations = (await session.listConversations())
    .filter((c) => c.kind === 'direct' || c.kind === 'group')
    .slice(0, MAX_CONVERSATIONS);
  const details = await Promise.all(
    conversations.map((c) =>
      session.http.get<ConversationDetail>(`/conversations/${encodeURIComponent(c.id)}`),
    ),
  );
  const byId = new Map<string, Contact>();
  for (const detail of details)
    for (const member of detail.members)
      if (member.userId !== ownUserId && !byId.has(member.userId))
        byId.set(member.userId, { userId: member.userId, displayName: member.displayName });
  return [...byId.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export function useContacts(session: SecureSession, ownUserId: string): ContactsState {
  const [state, setState] = useState<ContactsState>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    loadContacts(session, ownUserId).then(
      (contacts) => {
        if (!cancelled) setState({ status: 'ready', contacts });
      },
      () => {
        if (!cancelled) setState({ status: 'failed' });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session, ownUserId]);
  return state;
}
