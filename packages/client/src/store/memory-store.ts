import type { ConversationEvent } from '@enlets/protocol';
import type { ClientStore, OutboxEntry, StoredEventQuery } from './client-store.js';

/** The plain-data form of a store's state, shared by the in-memory and file stores. */
export interface StoreSnapshot {
  outbox: OutboxEntry[];
  cursors: Record<string, number>;
  events: Record<string, ConversationEvent[]>;
  syncToken?: string;
}

export function emptySnapshot(): StoreSnapshot {
  return { outbox: [], cursors: {}, events: {} };
}

/** The state changes of a store, as pure edits of a snapshot (a file store reuses them under its own I/O). */
export const snapshotOps = {
  putOutbox(state: StoreSnapshot, entry: OutboxEntry): void {
    const index = state.outbox.findIndex((e) => e.clientMessageId === entry.clientMessageId);
    if (index === -1) state.outbox.push(entry);
    else state.outbox[index] = entry;
  },
  deleteOutbox(state: StoreSnapshot, clientMessageId: string): void {
    state.outbox = state.outbox.filter((e) => e.clientMessageId !== clientMessageId);
  },
  saveEvents(
    state: StoreSnapshot,
    events: ReadonlyArray<ConversationEvent>,
    keepPerConversation: number,
  ): void {
    for (const event of events) {
      const id = event.conversationId;
      const list = (state.events[id] ??= []);
      const at = list.findIndex((e) => e.seq >= event.seq);
      if (at === -1) list.push(event);
      else if (list[at]?.seq === event.seq) list[at] = event;
      else list.splice(at, 0, event);
      if (list.length > keepPerConversation) list.splice(0, list.length - keepPerConversation);
      state.cursors[id] = Math.max(state.cursors[id] ?? 0, event.seq);
    }
  },
  listEvents(state: StoreSnapshot, conversationId: string, query: StoredEventQuery): ConversationEvent[] {
    const after = query.afterSeq ?? 0;
    const list = (state.events[conversationId] ?? []).filter((e) => e.seq > after);
    return query.limit === undefined ? list : list.slice(0, query.limit);
  },
  dropConversation(state: StoreSnapshot, conversationId: string): void {
    // Computed keys: the ids are UUIDs, never "__proto__".
    state.cursors = Object.fromEntries(Object.entries(state.cursors).filter(([k]) => k !== conversationId));
    state.events = Object.fromEntries(Object.entries(state.events).filter(([k]) => k !== conversationId));
  },
} as const;

/**
 * A store that lives as long as the process: for tests, bots that start afresh each time, and as the model
 * the persistent stores follow.
 */
export class MemoryStore implements ClientStore {
  readonly #state: StoreSnapshot = emptySnapshot();
  readonly #keep: number;

  /** @param keepPerConversation how many recent events to keep per conversation (the cursor is kept always). */
  constructor(options: { readonly keepPerConversation?: number } = {}) {
    this.#keep = options.keepPerConversation ?? Number.POSITIVE_INFINITY;
  }

  listOutbox(): Promise<ReadonlyArray<OutboxEntry>> {
    return Promise.resolve([...this.#state.outbox]);
  }
  putOutbox(entry: OutboxEntry): Promise<void> {
    snapshotOps.putOutbox(this.#state, entry);
    return Promise.resolve();
  }
  deleteOutbox(clientMessageId: string): Promise<void> {
    snapshotOps.deleteOutbox(this.#state, clientMessageId);
    return Promise.resolve();
  }
  getCursor(conversationId: string): Promise<number | undefined> {
    return Promise.resolve(this.#state.cursors[conversationId]);
  }
  saveEvents(events: ReadonlyArray<ConversationEvent>): Promise<void> {
    snapshotOps.saveEvents(this.#state, events, this.#keep);
    return Promise.resolve();
  }
  listEvents(
    conversationId: string,
    query: StoredEventQuery = {},
  ): Promise<ReadonlyArray<ConversationEvent>> {
    return Promise.resolve(snapshotOps.listEvents(this.#state, conversationId, query));
  }
  dropConversation(conversationId: string): Promise<void> {
    snapshotOps.dropConversation(this.#state, conversationId);
    return Promise.resolve();
  }
  getSyncToken(): Promise<string | undefined> {
    return Promise.resolve(this.#state.syncToken);
  }
  setSyncToken(token: string | undefined): Promise<void> {
    if (token === undefined) delete this.#state.syncToken;
    else this.#state.syncToken = token;
    return Promise.resolve();
  }
}
