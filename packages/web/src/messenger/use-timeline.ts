import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ConversationDetail } from '@enlets/protocol';
import { SecureSessionError, type SecureSession } from '../e2ee/secure-session.js';
import type { ShownEvent } from '../e2ee/worker-protocol.js';
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
  readonly send: (text: string, options?: { readonly replyToSeq?: number }) => Promise<void>;
  readonly edit: (seq: number, text: string) => Promise<void>;
  readonly react: (seq: number, emoji: string) => Promise<void>;
  /** Sends files, encrypted each with its own key, with an optional text; the pending row shows progress. */
  readonly sendFiles: (files: readonly File[], text: string) => Promise<void>;
}

/**
 * One conversation's messages: the latest page of history, live events as they arrive (each seq once, in
 * whichever order history and live events land), and our own sends until the server delivers them back.
 */
export function useTimeline(session: SecureSession, conversationId: string, ownUserId: string): Timeline {
  const [status, setStatus] = useState<Timeline['status']>('loading');
  const [events, setEvents] = useState<ReadonlyMap<number, ShownEvent>>(new Map());
  const [pending, setPending] = useState<readonly PendingMessage[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const eventsRef = useRef(events);
  eventsRef.current = events;

  const addEvents = useCallback((incoming: readonly ShownEvent[]) => {
    setEvents((current) => {
      const next = new Map(current);
      for (const shown of incoming) {
        // A history page read before the worker decrypted an event says "unavailable"; the live copy knows better.
        const known = next.get(shown.event.seq);
        if (known !== undefined && known.status !== 'unavailable' && shown.status === 'unavailable') continue;
        next.set(shown.event.seq, shown);
      }
      return next;
    });
  }, []);

  useEffect(() => {
    let cancelled = false;
    setStatus('loading');
    setEvents(new Map());
    setPending([]);
    // Live events first, so nothing that lands while the history loads is missed.
    const off = session.on('event', (shown) => {
      if (shown.event.conversationId === conversationId) addEvents([shown]);
    });
    // Earlier messages were shared with this device: the page of history shown so far is read again.
    const offShared = session.on('historyShared', (sharedIn) => {
      if (sharedIn !== conversationId) return;
      session
        .history(conversationId, { limit: PAGE })
        .then(addEvents)
        .catch(() => undefined);
    });
    Promise.all([
      session.history(conversationId, { limit: PAGE }),
      session.http.get<ConversationDetail>(`/conversations/${conversationId}`),
    ])
      .then(([history, detail]) => {
        if (cancelled) return;
        addEvents(history);
        setHasOlder(history.length === PAGE && (history[0]?.event.seq ?? 1) > 1);
        setNames(new Map(detail.members.map((m) => [m.userId, m.displayName])));
        setStatus('ready');
      })
      .catch(() => {
        if (!cancelled) setStatus('failed');
      });
    return () => {
      cancelled = true;
      off();
      offShared();
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
        setHasOlder(older.length === PAGE && (older[0]?.event.seq ?? 1) > 1);
      })
      .catch(() => undefined);
  }, [session, conversationId, oldestSeq, addEvents]);

  /** After the acknowledgement, the event normally comes back live; if the socket was down, it is fetched. */
  const fetchIfMissed = useCallback(
    async (seq: number) => {
      await new Promise((resolve) => setTimeout(resolve, ACK_GRACE_MS));
      if (eventsRef.current.has(seq)) return;
      addEvents(await session.history(conversationId, { beforeSeq: seq + 1, limit: 1 }));
    },
    [session, conversationId, addEvents],
  );

  const send = useCallback(
    async (text: string, options: { readonly replyToSeq?: number } = {}) => {
      const { replyToSeq } = options;
      const queued = await session.send(
        conversationId,
        { type: 'text', text },
        replyToSeq === undefined ? {} : { refSeq: replyToSeq },
      );
      setPending((current) => [
        ...current,
        {
          clientMessageId: queued.clientMessageId,
          text,
          createdAt: Date.now(),
          senderId: ownUserId,
          ...(replyToSeq === undefined ? {} : { replyToSeq }),
        },
      ]);
      queued.acknowledged.then(
        (ack) => fetchIfMissed(ack.seq),
        (error: unknown) => {
          // Refused for good: say why, keep the text on screen.
          const failure = error instanceof SecureSessionError ? (error.code ?? error.name) : 'INTERNAL';
          setPending((current) =>
            current.map((p) => (p.clientMessageId === queued.clientMessageId ? { ...p, failure } : p)),
          );
        },
      );
    },
    [session, conversationId, ownUserId, fetchIfMissed],
  );

  const sendFiles = useCallback(
    async (files: readonly File[], text: string) => {
      const key = `upload-${crypto.randomUUID()}`;
      const shownFiles = files.map((f) => ({ name: f.name, mimeType: f.type, size: f.size }));
      const update = (change: Partial<PendingMessage>): void =>
        setPending((current) => current.map((p) => (p.clientMessageId === key ? { ...p, ...change } : p)));
      // Shown at once, under a key of its own until the upload is done and the message is queued.
      setPending((current) => [
        ...current,
        {
          clientMessageId: key,
          text,
          createdAt: Date.now(),
          senderId: ownUserId,
          files: shownFiles,
          progress: 0,
        },
      ]);
      try {
        const queued = await session.sendFiles(conversationId, files, {
          text,
          onProgress: (done, total) => update({ progress: total === 0 ? 1 : done / total }),
        });
        setPending((current) =>
          current.map((p) => {
            if (p.clientMessageId !== key) return p;
            const { progress: _done, ...rest } = p;
            return { ...rest, clientMessageId: queued.clientMessageId };
          }),
        );
        queued.acknowledged.then(
          (ack) => fetchIfMissed(ack.seq),
          (error: unknown) => {
            const failure = error instanceof SecureSessionError ? (error.code ?? error.name) : 'INTERNAL';
            setPending((current) =>
              current.map((p) => (p.clientMessageId === queued.clientMessageId ? { ...p, failure } : p)),
            );
          },
        );
      } catch (error) {
        update({ failure: error instanceof SecureSessionError ? (error.code ?? error.name) : 'INTERNAL' });
      }
    },
    [session, conversationId, ownUserId, fetchIfMissed],
  );

  const edit = useCallback(
    async (seq: number, text: string) => {
      const queued = await session.send(
        conversationId,
        { type: 'edit', text },
        { kind: 'edit', refSeq: seq },
      );
      queued.acknowledged.then(
        (ack) => fetchIfMissed(ack.seq),
        () => undefined,
      );
    },
    [session, conversationId, fetchIfMissed],
  );

  const react = useCallback(
    async (seq: number, emoji: string) => {
      const queued = await session.send(
        conversationId,
        { type: 'reaction', emoji },
        { kind: 'reaction', refSeq: seq },
      );
      queued.acknowledged.then(
        (ack) => fetchIfMissed(ack.seq),
        () => undefined,
      );
    },
    [session, conversationId, fetchIfMissed],
  );

  const items = useMemo(
    () => buildTimeline(events.values(), pending, ownUserId),
    [events, pending, ownUserId],
  );
  return { status, items, hasOlder, names, latestSeq, loadOlder, send, edit, react, sendFiles };
}
