import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConversationDetail, ConversationEvent, ConversationSummary } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';

export type ConversationsState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed' }
  | { readonly status: 'ready'; readonly conversations: readonly ConversationSummary[] };

export interface Conversations {
  readonly state: ConversationsState;
  /** Display names of the other person of 1:1 conversations, by conversation id. */
  readonly directNames: ReadonlyMap<string, string>;
  readonly reload: () => void;
  /** Tells the server (and the list) that everything up to `seq` was seen. */
  readonly markRead: (conversationId: string, seq: number) => void;
}

const byActivity = (a: ConversationSummary, b: ConversationSummary): number =>
  b.lastActivityAt - a.lastActivityAt;

/**
 * The conversation list, kept current by the session's live events: a new message moves its conversation up
 * and, unless it is ours or the conversation is open, counts as unread (and as a mention when it names us).
 * An event of a conversation we do not know yet (we were just added) reloads the list.
 */
export function useConversations(
  session: SecureSession,
  ownUserId: string,
  openConversationId: string | undefined,
): Conversations {
  const [state, setState] = useState<ConversationsState>({ status: 'loading' });
  const [directNames, setDirectNames] = useState<ReadonlyMap<string, string>>(new Map());
  const openRef = useRef(openConversationId);
  openRef.current = openConversationId;
  const [generation, setGeneration] = useState(0);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  // Undefined while loading: the load under way will include whatever arrives meanwhile.
  const knownIds = useRef<ReadonlySet<string> | undefined>(undefined);
  knownIds.current = state.status === 'ready' ? new Set(state.conversations.map((c) => c.id)) : undefined;

  useEffect(() => {
    let cancelled = false;
    session
      .listConversations()
      .then((list) => {
        if (!cancelled) setState({ status: 'ready', conversations: [...list].sort(byActivity) });
      })
      .catch(() => {
        if (!cancelled) setState({ status: 'failed' });
      });
    return () => {
      cancelled = true;
    };
  }, [session, generation]);

  // The other person's name for each 1:1 conversation (its summary carries only their id).
  useEffect(() => {
    if (state.status !== 'ready') return;
    const missing = state.conversations.filter((c) => c.kind === 'direct' && !directNames.has(c.id));
    if (missing.length === 0) return;
    let cancelled = false;
    void Promise.all(
      missing.map(async (c) => {
        try {
          const detail = await session.http.get<ConversationDetail>(`/conversations/${c.id}`);
          const other = detail.members.find((m) => m.userId !== ownUserId);
          return other === undefined ? undefined : ([c.id, other.displayName] as const);
        } catch {
          return undefined;
        }
      }),
    ).then((found) => {
      if (cancelled) return;
      setDirectNames((previous) => {
        const next = new Map(previous);
        for (const entry of found) if (entry !== undefined) next.set(entry[0], entry[1]);
        return next;
      });
    });
    return () => {
      cancelled = true;
    };
  }, [session, state, directNames, ownUserId]);

  useEffect(() => {
    const onEvent = (event: ConversationEvent): void => {
      const known = knownIds.current;
      if (known === undefined) return;
      if (!known.has(event.conversationId)) {
        reload();
        return;
      }
      setState((current) => {
        const summary =
          current.status === 'ready'
            ? current.conversations.find((c) => c.id === event.conversationId)
            : undefined;
        if (current.status !== 'ready' || summary === undefined) return current;
        const countsAsUnread =
          event.kind === 'message' &&
          event.senderId !== ownUserId &&
          openRef.current !== event.conversationId;
        const mentionsMe = event.mentionsAll || event.mentions.some((id) => id === ownUserId);
        const updated: ConversationSummary = {
          ...summary,
          headSeq: Math.max(summary.headSeq, event.seq),
          lastActivityAt: Math.max(summary.lastActivityAt, event.createdAt),
          unreadCount: summary.unreadCount + (countsAsUnread ? 1 : 0),
          mentionCount: summary.mentionCount + (countsAsUnread && mentionsMe ? 1 : 0),
        };
        return {
          status: 'ready',
          conversations: current.conversations
            .map((c) => (c.id === updated.id ? updated : c))
            .sort(byActivity),
        };
      });
    };
    const offEvent = session.on('event', (shown) => onEvent(shown.event));
    const offResync = session.on('resyncRequired', reload);
    return () => {
      offEvent();
      offResync();
    };
  }, [session, ownUserId, reload]);

  const markRead = useCallback(
    (conversationId: string, seq: number) => {
      setState((current) => {
        if (current.status !== 'ready') return current;
        return {
          status: 'ready',
          conversations: current.conversations.map((c) =>
            c.id === conversationId && seq >= c.lastReadSeq
              ? { ...c, lastReadSeq: seq, unreadCount: 0, mentionCount: 0, markedUnread: false }
              : c,
          ),
        };
      });
      // Best effort: a failure leaves the server's count as it was, and the next load shows it.
      session.http.post(`/conversations/${conversationId}/read`, { seq }).catch(() => undefined);
    },
    [session],
  );

  return { state, directNames, reload, markRead };
}
