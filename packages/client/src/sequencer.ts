import type { ConversationEvent, EventRangeResponse } from '@enlets/protocol';
import type { ClientStore } from './store/client-store.js';

/** Fetches a conversation's events with seq > afterSeq, oldest first (GET …/events?afterSeq=&limit=). */
export type RangeFetcher = (
  conversationId: string,
  afterSeq: number,
  limit: number,
) => Promise<EventRangeResponse>;

const MAX_RANGE = 500;

/**
 * Turns an at-least-once, possibly out-of-order stream of events into exactly-once, in-order delivery per
 * conversation. `(conversationId, seq)` is an event's identity: an event at or below the conversation's cursor
 * has been delivered and is dropped; an event beyond cursor + 1 means some were missed, and they are fetched
 * (`afterSeq = cursor`) and delivered first. Each event is stored (moving the cursor) before it is delivered,
 * so a crash between the two loses nothing the app can read back from the store, and a restart repeats nothing.
 *
 * A conversation this client has never seen (no cursor) starts at its first event: a new device loads older
 * history explicitly, it does not receive it as news.
 */
export class EventSequencer {
  readonly #store: ClientStore;
  readonly #fetchRange: RangeFetcher;
  readonly #deliver: (event: ConversationEvent) => void;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(store: ClientStore, fetchRange: RangeFetcher, deliver: (event: ConversationEvent) => void) {
    this.#store = store;
    this.#fetchRange = fetchRange;
    this.#deliver = deliver;
  }

  /**
   * Applies one event: resolves once it (and any gap before it) is stored and delivered, or was a duplicate.
   * Calls are serialised, so concurrent sources (a resume and live pushes) cannot interleave a gap fill.
   * Rejects when a gap cannot be fetched; the cursor then stays put and the next resume catches up.
   */
  apply(event: ConversationEvent): Promise<void> {
    const run = this.#chain.then(() => this.#applyOne(event));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #applyOne(event: ConversationEvent): Promise<void> {
    const conversationId = event.conversationId;
    const cursor = await this.#store.getCursor(conversationId);
    if (cursor !== undefined && event.seq <= cursor) return;
    if (cursor !== undefined && event.seq > cursor + 1) {
      let after = cursor;
      while (after < event.seq - 1) {
        const range = await this.#fetchRange(
          conversationId,
          after,
          Math.min(MAX_RANGE, event.seq - 1 - after),
        );
        const missed = range.events
          .filter((e) => e.seq > after && e.seq < event.seq)
          .sort((a, b) => a.seq - b.seq);
        for (const e of missed) {
          await this.#store.saveEvents([e]);
          this.#deliver(e);
          after = e.seq;
        }
        // Nothing more to see below this event (never visible to this member, say): the gap is closed.
        if (missed.length === 0 || !range.hasMore) break;
      }
    }
    await this.#store.saveEvents([event]);
    this.#deliver(event);
  }
}
