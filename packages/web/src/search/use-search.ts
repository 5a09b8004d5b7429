import { useEffect, useState } from 'react';
import type { ConversationDetail } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import type { SearchHit, SearchResponse } from '../e2ee/worker-protocol.js';

/** Typing pauses this long before the worker is asked: one query per pause, not per key. */
const DEBOUNCE_MS = 120;
/** While older history is still being indexed, the same query runs again this often (hits fill in). */
const WHILE_INDEXING_MS = 3_000;
export const SEARCH_LIMIT = 30;
export const MAX_QUERY_CHARS = 200;

export type SearchState =
  | { readonly status: 'idle' }
  /** `previous`: the last answer, shown until the new one arrives (the list does not flicker). */
  | { readonly status: 'searching'; readonly previous: SearchResponse | undefined }
  | { readonly status: 'done'; readonly response: SearchResponse }
  | { readonly status: 'failed' };

/** The worker's answer to `query` (in one conversation when given), asked once typing pauses. */
export function useSearch(
  session: SecureSession,
  query: string,
  conversationId: string | undefined,
): SearchState {
  const [state, setState] = useState<SearchState>({ status: 'idle' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (query.trim() === '') {
      setState({ status: 'idle' });
      return;
    }
    let cancelled = false;
    let again: ReturnType<typeof setTimeout> | undefined;
    setState((current) => ({
      status: 'searching',
      previous:
        current.status === 'done'
          ? current.response
          : current.status === 'searching'
            ? current.previous
            : undefined,
    }));
    const timer = setTimeout(() => {
      session
        .search({ query, limit: SEARCH_LIMIT, ...(conversationId === undefined ? {} : { conversationId }) })
        .then((response) => {
          if (cancelled) return;
          setState({ status: 'done', response });
          if (response.indexing) again = setTimeout(() => setRound((r) => r + 1), WHILE_INDEXING_MS);
        })
        .catch(() => {
          if (!cancelled) setState({ status: 'failed' });
        });
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      clearTimeout(again);
    };
  }, [session, query, conversationId, round]);
  return state;
}

/**
 * The display names of the members of the conversations the hits are in (conversation → user → name), fetched
 * once per conversation. The summary lists carry no members; the worker's hits carry user ids only.
 */
export function useMemberNames(
  session: SecureSession,
  hits: readonly SearchHit[],
): ReadonlyMap<string, ReadonlyMap<string, string>> {
  const [names, setNames] = useState<ReadonlyMap<string, ReadonlyMap<string, string>>>(new Map());
  const wanted = [...new Set(hits.map((hit) => hit.conversationId))].filter((id) => !names.has(id)).join(',');
  useEffect(() => {
    if (wanted === '') return;
    let cancelled = false;
    void Promise.all(
      wanted.split(',').map(async (id) => {
        try {
          const detail = await session.http.get<ConversationDetail>(
            `/conversations/${encodeURIComponent(id)}`,
          );
          return [id, new Map(detail.members.map((m) => [m.userId, m.displayName]))] as const;
        } catch {
          return [id, new Map<string, string>()] as const;
        }
      }),
    ).then((found) => {
      if (!cancelled) setNames((current) => new Map([...current, ...found]));
    });
    return () => {
      cancelled = true;
    };
  }, [session, wanted]);
  return names;
}
