import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { EnletsApiError, OutboxStoppedError, type MessengerSession } from '@enlets/client';
import type { ConversationDetail, ConversationEvent } from '@enlets/protocol';
import { encodeMessage } from '../messaging/payload-codec.js';
import { buildTimeline, type PendingMessage, type TimelineItem } from '../messaging/timeline.js';

const PAGE = 50;
/** How long an acknowledged message may take to come back live before it is fetched. */
const ACK_GRACE_MS = 2_000;

export interface Timeline {
  readonly status: 'loading' | 'failed' | 'ready';
  readonly items: readonly TimelineItem[];
  readonly hasOlder: boolean;
  /** Display names of the members, by user id. */
  readonly names: ReadonlyMap<string, string>;
  /** The highest seq shown (0 before the first event). */
  readonly latestSeq: number;
  readonly loadOlder: () => void;
  readonly send: (text: string) => Promise<void>;
}

/**
 * One conversation's messages: the latest page of history, live events as they arrive (each seq once, in
 * whichever order history and live events land), and our own sends until the server delivers them back.
 */
export function useTimeline(session: MessengerSession, conversationId: string, ownUserId: string): Timeline {
  const [status, setStatus] = useState<Timeline['status']>('loading');
  const [events, setEvents] = useState<ReadonlyMap<number, ConversationEvent>>(new Map());
  const [pending, setPending] = useState<readonly PendingMessage[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const eventsRef = useRef(events);
  eventsRef.current = events;

  const addEvents = useCallback((incoming: readonly ConversationEvent[]) => {
    setEvents((current) => {
      const next = new Map(current);
      for (const event of incoming) next.set(event.seq, event);
      return next;
    });
  }, []);

  useEffect(() => {
    let cancelled = false;
    setStatus('loading');
    setEvents(new Map());
    setPending([]);
    // Live events first, so nothing that lands while the history loads is missed.
    const off = session.on('event', (event) => {
      if (event.conversationId === conversationId) addEvents([event]);
    });
    Promise.all([
      session.history(conversationId, { limit: PAGE }),
      session.http.get<ConversationDetail>(`/conversations/${conversationId}`),
    ])
      .then(([history, detail]) => {
        if (cancelled) return;
        addEvents(history);
        setHasOlder(history.length === PAGE && (history[0]?.seq ?? 1) > 1);
        setNames(new Map(detail.members.map((m) => [m.userId, m.displayName])));
        setStatus('ready');
      })
      .catch(() => {
        if (!cancelled) setStatus('failed');
      });
    return () => {
      cancelled = true;
      off();
    };
  }, [session, conversationId, addEvents]);

  const oldestSeq = useMemo(() => Math.min(...events.keys()), [events]);
  const latestSeq = useMemo(() => Math.max(0, ...events.keys()), [events]);

  const loadOlder = useCallback(() => {
    if (!Number.isFinite(oldestSeq)) return;
    session
      .history(conversationId, { limit: PAGE, beforeSeq: oldestSeq })
      .then((older) => {
        addEvents(older);
        setHasOlder(older.length === PAGE && (older[0]?.seq ?? 1) > 1);
      })
      .catch(() => undefined);
  }, [session, conversationId, oldestSeq, addEvents]);

  const send = useCallback(
    async (text: string) => {
      const queued = await session.send(conversationId, { payload: encodeMessage({ text }) });
      setPending((current) => [
        ...current,
        { clientMessageId: queued.clientMessageId, text, createdAt: Date.now(), senderId: ownUserId },
      ]);
      queued.acknowledged.then(
        async (ack) => {
          // The event normally comes back live at once; if the socket was down it may not: fetch it.
          await new Promise((resolve) => setTimeout(resolve, ACK_GRACE_MS));
          if (eventsRef.current.has(ack.seq)) return;
          const stored = await session.history(conversationId, { beforeSeq: ack.seq + 1, limit: 1 });
          addEvents(stored);
        },
        (error: unknown) => {
          // Stopped: still in the outbox, it goes out with the next session; refused: say why, keep the text.
          if (error instanceof OutboxStoppedError) return;
          const failure = error instanceof EnletsApiError ? error.code : 'INTERNAL';
          setPending((current) =>
            current.map((p) => (p.clientMessageId === queued.clientMessageId ? { ...p, failure } : p)),
          );
        },
      );
    },
    [session, conversationId, ownUserId, addEvents],
  );

  const items = useMemo(
    () => buildTimeline(events.values(), pending, ownUserId),
    [events, pending, ownUserId],
  );
  return { status, items, hasOlder, names, latestSeq, loadOlder, send };
}
