import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  ConversationDetail,
  ConversationMember,
  Pin,
  PinsResponse,
  SendEventAck,
  UserId,
} from '@enlets/protocol';
import { SecureSessionError, type SecureSession } from '../e2ee/secure-session.js';
import type { ShownEvent } from '../e2ee/worker-protocol.js';
import {
  buildTimeline,
  keepUnchangedRows,
  type PendingMessage,
  type TimelineItem,
} from '../messaging/timeline.js';

const PAGE = 50;
/** How long an acknowledged message may take to come back live before it is fetched. */
const ACK_GRACE_MS = 2_000;

export interface Timeline {
  readonly status: 'loading' | 'failed' | 'ready';
  readonly items: readonly TimelineItem[];
  readonly hasOlder: boolean;
  /** Display names of the members, by user id. */
  readonly names: ReadonlyMap<string, string>;
  /** The members as the conversation was opened (names, roles, read positions where shared). */
  readonly members: readonly ConversationMember[];
  /** The messages pinned now, as the server lists them. */
  readonly pins: readonly Pin[];
  /** True while an older page is being fetched. */
  readonly loadingOlder: boolean;
  /** The highest seq shown (0 before the first event). */
  readonly latestSeq: number;
  readonly loadOlder: () => Promise<void>;
  /** Loads older pages until the message at `seq` is loaded (a search result far back). */
  readonly loadThrough: (seq: number) => Promise<void>;
  readonly send: (text: string, options?: SendOptions) => Promise<void>;
  readonly edit: (seq: number, text: string) => Promise<void>;
  readonly react: (seq: number, emoji: string) => Promise<void>;
  /** Sends files, encrypted each with its own key, with an optional text; the pending row shows progress. */
  readonly sendFiles: (files: readonly File[], text: string) => Promise<void>;
  /** Deletes a message for everyone (ours, or anyone's for a channel's moderators). */
  readonly remove: (seq: number) => Promise<void>;
  readonly pin: (seq: number, pinned: boolean) => Promise<void>;
  /** Forwards a message into another conversation; rejects with the server's refusal (TLP rules). */
  readonly forward: (seq: number, targetConversationId: string) => Promise<SendEventAck>;
}

/** What a send may carry beside its text: the message it answers, who it mentions. */
export interface SendOptions {
  readonly replyToSeq?: number;
  readonly mentions?: readonly string[];
  readonly mentionsAll?: boolean;
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
  const [members, setMembers] = useState<readonly ConversationMember[]>([]);
  const [pins, setPins] = useState<readonly Pin[]>([]);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const names = useMemo(() => new Map(members.map((m) => [m.userId, m.displayName])), [members]);
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
    const loadPins = (): void => {
      session.http
        .get<PinsResponse>(`/conversations/${conversationId}/pins`)
        .then((listed) => {
          if (!cancelled) setPins(listed.pins);
        })
        .catch(() => undefined);
    };
    // Live events first, so nothing that lands while the history loads is missed.
    const off = session.on('event', (shown) => {
      if (shown.event.conversationId !== conversationId) return;
      addEvents([shown]);
      if (shown.event.kind === 'pin' || shown.event.kind === 'unpin' || shown.event.kind === 'delete')
        loadPins();
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
        setMembers(detail.members);
        setStatus('ready');
        loadPins();
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

  const loadingRef = useRef(false);
  const loadOlder = useCallback(async () => {
    // One page at a time: scrolling fires this many times while the first request is on its way.
    if (!Number.isFinite(oldestSeq) || loadingRef.current) return;
    loadingRef.current = true;
    setLoadingOlder(true);
    try {
      const older = await session.history(conversationId, { limit: PAGE, beforeSeq: oldestSeq });
      addEvents(older);
      setHasOlder(older.length === PAGE && (older[0]?.event.seq ?? 1) > 1);
    } catch {
      // Offline: the button stays, and scrolling up tries again.
    } finally {
      loadingRef.current = false;
      setLoadingOlder(false);
    }
  }, [session, conversationId, oldestSeq, addEvents]);

  const loadThrough = useCallback(
    async (seq: number) => {
      // Big pages (the server's maximum): a message thousands back is a few requests away, not hundreds.
      let oldest = Math.min(...eventsRef.current.keys());
      while (Number.isFinite(oldest) && oldest > seq) {
        if (loadingRef.current) {
          // A page is on its way (scrolling): wait for it rather than ask for the same one.
          await new Promise((resolve) => setTimeout(resolve, 50));
          oldest = Math.min(oldest, ...eventsRef.current.keys());
          continue;
        }
        loadingRef.current = true;
        try {
          const older = await session.history(conversationId, { limit: 500, beforeSeq: oldest });
          addEvents(older);
          setHasOlder(older.length === 500 && (older[0]?.event.seq ?? 1) > 1);
          if (older.length === 0) return;
          oldest = Math.min(oldest, ...older.map((shown) => shown.event.seq));
        } catch {
          return;
        } finally {
          loadingRef.current = false;
        }
      }
    },
    [session, conversationId, addEvents],
  );

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
    async (text: string, options: SendOptions = {}) => {
      const { replyToSeq, mentions = [], mentionsAll = false } = options;
      const queued = await session.send(
        conversationId,
        { type: 'text', text },
        {
          ...(replyToSeq === undefined ? {} : { refSeq: replyToSeq }),
          ...(mentions.length === 0 ? {} : { mentions: mentions as UserId[] }),
          ...(mentionsAll ? { mentionsAll } : {}),
        },
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

  const mark = useCallback(
    async (kind: 'delete' | 'pin' | 'unpin', seq: number) => {
      const queued = await session.mark(conversationId, kind, seq);
      await queued.acknowledged.then((ack) => fetchIfMissed(ack.seq));
    },
    [session, conversationId, fetchIfMissed],
  );
  const remove = useCallback((seq: number) => mark('delete', seq), [mark]);
  const pin = useCallback((seq: number, pinned: boolean) => mark(pinned ? 'pin' : 'unpin', seq), [mark]);
  const forward = useCallback(
    (seq: number, targetConversationId: string) => session.forward(conversationId, seq, targetConversationId),
    [session, conversationId],
  );

  // Rows that a rebuild did not change keep their objects: the timeline re-renders only the others.
  const previousItems = useRef<readonly TimelineItem[]>([]);
  const items = useMemo(() => {
    const built = keepUnchangedRows(
      previousItems.current,
      buildTimeline(events.values(), pending, ownUserId),
    );
    previousItems.current = built;
    return built;
  }, [events, pending, ownUserId]);
  return {
    status,
    items,
    hasOlder,
    names,
    members,
    pins,
    loadingOlder,
    latestSeq,
    loadOlder,
    loadThrough,
    send,
    edit,
    react,
    sendFiles,
    remove,
    pin,
    forward,
  };
}
