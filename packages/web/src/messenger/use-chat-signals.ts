import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ConversationMember, ConversationSummary, DeliveriesResponse } from '@enlets/protocol';
import type { Presence, SecureSession } from '../e2ee/secure-session.js';

/** "Seen by" is shown per message in conversations up to this size; beyond, it would be a list of names. */
export const SMALL_CONVERSATION = 20;
/** How long a typing notice holds without a new one (the server passes at most one per 2 s per sender). */
const TYPING_SHOWN_MS = 6_000;
/** How often we say we are typing while the person keeps typing. */
const TYPING_REPEAT_MS = 3_000;
/** The gateway passes one typing notice per conversation and connection per 2 s, and drops the others. */
const SERVER_TYPING_INTERVAL_MS = 2_100;

export interface ChatSignals {
  /** The other members typing now, by user id. */
  readonly typing: readonly string[];
  /** Per other member who shares read receipts: how far they read. */
  readonly readUpTo: ReadonlyMap<string, number>;
  /** Per other member: how far one of their devices stored the conversation (delivered). */
  readonly deliveredUpTo: ReadonlyMap<string, number>;
  /** The other person's presence in a 1:1 conversation; undefined elsewhere or when not known. */
  readonly presence: Presence | undefined;
  /**
   * Call as the text changes (`composing`: something is typed): says so to the others at most once per few
   * seconds; an emptied or sent text ends the composition, so the next one is announced at once.
   */
  readonly typed: (composing: boolean) => void;
}

/**
 * The live signals of one open conversation from the realtime gateway: who is typing, who read how far (read
 * receipts; the server leaves out those who opted out, and sends nothing to someone who did), how far other
 * devices stored it (delivered), and the other person's presence in a 1:1. None of it is ever stored.
 */
export function useChatSignals(
  session: SecureSession,
  conversation: ConversationSummary,
  members: readonly ConversationMember[],
  ownUserId: string,
): ChatSignals {
  const conversationId = conversation.id;
  const otherUserId = conversation.kind === 'direct' ? conversation.otherUserId : null;
  const [typingUntil, setTypingUntil] = useState<ReadonlyMap<string, number>>(new Map());
  const [readUpTo, setReadUpTo] = useState<ReadonlyMap<string, number>>(new Map());
  const [deliveredUpTo, setDeliveredUpTo] = useState<ReadonlyMap<string, number>>(new Map());
  const [presence, setPresence] = useState<Presence | undefined>(
    otherUserId === null ? undefined : session.presenceOf(otherUserId),
  );

  // Read positions as the conversation was opened (null for members who do not share them).
  useEffect(() => {
    setReadUpTo((current) => {
      const next = new Map(current);
      for (const member of members) {
        if (member.userId === ownUserId || member.lastReadSeq === null) continue;
        next.set(member.userId, Math.max(next.get(member.userId) ?? 0, member.lastReadSeq));
      }
      return next;
    });
  }, [members, ownUserId]);

  useEffect(() => {
    let cancelled = false;
    session.http
      .get<DeliveriesResponse>(`/conversations/${conversationId}/deliveries?seq=1`)
      .then(({ deliveredTo }) => {
        if (cancelled) return;
        const others = deliveredTo.filter((d) => d.userId !== ownUserId);
        setDeliveredUpTo((current) =>
          raise(
            current,
            others.map((d) => [d.userId, d.deliveredSeq]),
          ),
        );
      })
      .catch(() => undefined);
    const offSignal = session.on('signal', (signal) => {
      switch (signal.type) {
        case 'typing':
          if (signal.conversationId !== conversationId || signal.userId === ownUserId) return;
          setTypingUntil((current) => new Map(current).set(signal.userId, Date.now() + TYPING_SHOWN_MS));
          return;
        case 'receipt':
          if (signal.conversationId !== conversationId || signal.userId === ownUserId) return;
          setReadUpTo((current) => raise(current, [[signal.userId, signal.seq]]));
          return;
        case 'delivered':
          if (signal.conversationId !== conversationId) return;
          setDeliveredUpTo((current) =>
            raise(
              current,
              signal.devices.filter((d) => d.userId !== ownUserId).map((d) => [d.userId, d.seq]),
            ),
          );
          return;
        case 'presence':
        case 'presences':
          if (otherUserId !== null) setPresence(session.presenceOf(otherUserId));
          return;
      }
    });
    // A message from someone ends their "typing…".
    const offEvent = session.on('event', ({ event }) => {
      if (event.conversationId !== conversationId || event.senderId === null) return;
      const sender = event.senderId;
      setTypingUntil((current) => {
        if (!current.has(sender)) return current;
        const next = new Map(current);
        next.delete(sender);
        return next;
      });
    });
    return () => {
      cancelled = true;
      offSignal();
      offEvent();
    };
  }, [session, conversationId, ownUserId, otherUserId]);

  // Typing notices fade out on their own: the sender stopped, or left without sending.
  useEffect(() => {
    if (typingUntil.size === 0) return;
    const next = Math.min(...typingUntil.values());
    const timer = setTimeout(
      () => {
        const now = Date.now();
        setTypingUntil((current) => new Map([...current].filter(([, until]) => until > now)));
      },
      Math.max(0, next - Date.now()) + 50,
    );
    return () => clearTimeout(timer);
  }, [typingUntil]);

  const lastSent = useRef(0);
  const composing = useRef(false);
  const later = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(later.current), []);
  const typed = useCallback(
    (typing: boolean) => {
      const starting = typing && !composing.current;
      composing.current = typing;
      if (!typing) return;
      const send = (): void => {
        lastSent.current = Date.now();
        session.sendTyping(conversationId);
      };
      const since = Date.now() - lastSent.current;
      if (since >= TYPING_REPEAT_MS) send();
      else if (starting && later.current === undefined) {
        // A new message begun right after the last one was sent: the gateway would drop a notice this soon,
        // so it goes as soon as it will pass (if the person is still typing then).
        later.current = setTimeout(
          () => {
            later.current = undefined;
            if (composing.current) send();
          },
          Math.max(0, SERVER_TYPING_INTERVAL_MS - since),
        );
      }
    },
    [session, conversationId],
  );

  const typing = useMemo(() => [...typingUntil.keys()], [typingUntil]);
  return { typing, readUpTo, deliveredUpTo, presence, typed };
}

/** Positions only move forward. */
function raise(
  current: ReadonlyMap<string, number>,
  updates: readonly (readonly [string, number])[],
): ReadonlyMap<string, number> {
  let next: Map<string, number> | undefined;
  for (const [userId, seq] of updates) {
    if ((current.get(userId) ?? 0) >= seq) continue;
    next ??= new Map(current);
    next.set(userId, seq);
  }
  return next ?? current;
}
