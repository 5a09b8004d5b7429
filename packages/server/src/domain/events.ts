import type { ConversationEvent } from '@enlets/protocol';

/**
 * What crosses the event bus between the domain and the realtime gateways of every server process. The
 * database stays the source of truth: a message lost on the bus is found by the next sync, so the bus is only a
 * (fast) wake-up. Every message is plain JSON so it can travel over Redis or NATS unchanged.
 */
export type BusMessage =
  /** A committed event and the users whose devices should get it (computed by the action, never the gateway). */
  | {
      readonly type: 'event.created';
      readonly event: ConversationEvent;
      readonly recipients: readonly string[];
    }
  /** Membership changed: gateways refresh what they know of the conversation. */
  | {
      readonly type: 'membership.changed';
      readonly conversationId: string;
      readonly added: readonly string[];
      readonly removed: readonly string[];
    }
  /** Short-lived signals that are never stored: typing, presence, read positions. */
  | {
      readonly type: 'ephemeral';
      readonly recipients: readonly string[];
      readonly frame: Readonly<Record<string, unknown>>;
    }
  /** Sessions of a user ended (logout, password change, suspension, removal): close their live connections. */
  | {
      readonly type: 'sessions.revoked';
      readonly userId: string;
      readonly sessionIds: readonly string[] | 'all';
      /** With 'all': a session that stays (the caller's own, on a password change or "sign out others"). */
      readonly except?: string;
    }
  /**
   * Wake-ups may have been lost (the cluster bus was away): gateways tell their devices to sync. Raised by the
   * bus itself after it reconnected, never by an action.
   */
  | { readonly type: 'resync'; readonly reason: string };

export type BusHandler = (message: BusMessage) => void;

/** The port the domain publishes to; `InProcessBus` here, Redis or NATS in a cluster (`bus/`). */
export interface EventBus {
  publish(message: BusMessage): void;
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}

/** One process: handlers run synchronously, in publish order. */
export class InProcessBus implements EventBus {
  readonly #handlers = new Set<BusHandler>();

  publish(message: BusMessage): void {
    for (const handler of this.#handlers) handler(message);
  }

  subscribe(handler: BusHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  close(): Promise<void> {
    this.#handlers.clear();
    return Promise.resolve();
  }
}
