import type { ConversationEvent } from '@enlets/protocol';
import type { ClientStore, OutboxEntry, StoredEventQuery } from '@enlets/client';
import { enqueue, openAccountDatabase, writeTransaction, type AccountDatabase } from './open-database.js';

/** Recent events kept per conversation (the cursor is kept always; older history comes from the server). */
const KEEP_PER_CONVERSATION = 1000;

/**
 * The browser's `ClientStore`: the outbox, the received events and the sync position of one account, in the
 * account's IndexedDB database (`open-database.ts`), so a reload neither loses a queued message nor shows an
 * event twice. Every call is one IndexedDB transaction. Usable on the main thread and in a Web Worker.
 *
 * The outbox and what was received belong to the device (login) that queued or synced them: a new login on this
 * browser drops them together with the old device's keys (`IndexedDbE2eeStore.claimFor`).
 */
export class IndexedDbClientStore implements ClientStore {
  readonly #db: AccountDatabase;
  readonly #keep: number;

  private constructor(db: AccountDatabase, keep: number) {
    this.#db = db;
    this.#keep = keep;
  }

  /**
   * The store of one account on this browser profile.
   * @param options.keepPerConversation how many recent events to keep per conversation (default 1,000).
   */
  static async open(
    userId: string,
    options: { readonly keepPerConversation?: number } = {},
  ): Promise<IndexedDbClientStore> {
    return new IndexedDbClientStore(
      await openAccountDatabase(userId),
      options.keepPerConversation ?? KEEP_PER_CONVERSATION,
    );
  }

  /** Closes the connection; calls fail afterwards. */
  close(): void {
    this.#db.close();
  }

  async listOutbox(): Promise<ReadonlyArray<OutboxEntry>> {
    // Key order is insertion order (auto-increment keys), which is sending order.
    return this.#db.getAll('outbox');
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    await writeTransaction(this.#db, ['outbox'], 'strict', async (tx) => {
      const outbox = tx.objectStore('outbox');
      const key = await outbox.index('byClientMessageId').getKey(entry.clientMessageId);
      // A replaced entry keeps its key, so a retry does not move it behind later messages.
      enqueue(key === undefined ? outbox.add(entry) : outbox.put(entry, key));
    });
  }

  async deleteOutbox(clientMessageId: string): Promise<void> {
    await writeTransaction(this.#db, ['outbox'], 'strict', async (tx) => {
      const outbox = tx.objectStore('outbox');
      const key = await outbox.index('byClientMessageId').getKey(clientMessageId);
      if (key !== undefined) enqueue(outbox.delete(key));
    });
  }

  async getCursor(conversationId: string): Promise<number | undefined> {
    return this.#db.get('cursors', conversationId);
  }

  async saveEvents(events: ReadonlyArray<ConversationEvent>): Promise<void> {
    if (events.length === 0) return;
    // Relaxed: events lost to a power cut come again from the server, from the cursor stored with them.
    await writeTransaction(this.#db, ['events', 'cursors'], 'relaxed', async (tx) => {
      const stored = tx.objectStore('events');
      const cursors = tx.objectStore('cursors');
      const highest = new Map<string, number>();
      for (const event of events) {
        // The key is (conversationId, seq): an event seen twice replaces itself.
        enqueue(stored.put(event));
        highest.set(event.conversationId, Math.max(highest.get(event.conversationId) ?? 0, event.seq));
      }
      for (const [conversationId, seq] of highest) {
        const cursor = await cursors.get(conversationId);
        enqueue(cursors.put(Math.max(cursor ?? 0, seq), conversationId));
        if (Number.isFinite(this.#keep)) {
          // Requests run in the order issued: the count includes the events just put.
          const range = conversationRange(conversationId);
          const excess = (await stored.count(range)) - this.#keep;
          if (excess > 0) {
            const oldest = await stored.getAllKeys(range, excess);
            const last = oldest.at(-1);
            if (last !== undefined)
              enqueue(stored.delete(IDBKeyRange.bound([conversationId, -Infinity], last)));
          }
        }
      }
    });
  }

  async listEvents(
    conversationId: string,
    query: StoredEventQuery = {},
  ): Promise<ReadonlyArray<ConversationEvent>> {
    // getAll's count 0 means "no limit" to IndexedDB; to the caller it means none.
    if (query.limit === 0) return [];
    const range = IDBKeyRange.bound([conversationId, query.afterSeq ?? 0], [conversationId, Infinity], true);
    return this.#db.getAll('events', range, query.limit);
  }

  async dropConversation(conversationId: string): Promise<void> {
    await writeTransaction(this.#db, ['events', 'cursors'], 'strict', (tx) => {
      enqueue(tx.objectStore('events').delete(conversationRange(conversationId)));
      enqueue(tx.objectStore('cursors').delete(conversationId));
      return Promise.resolve();
    });
  }

  async getSyncToken(): Promise<string | undefined> {
    return this.#db.get('meta', 'syncToken');
  }

  async setSyncToken(token: string | undefined): Promise<void> {
    await writeTransaction(this.#db, ['meta'], 'relaxed', (tx) => {
      const meta = tx.objectStore('meta');
      enqueue(token === undefined ? meta.delete('syncToken') : meta.put(token, 'syncToken'));
      return Promise.resolve();
    });
  }
}

/** Every event key of one conversation: `(conversationId, any seq)`. */
function conversationRange(conversationId: string): IDBKeyRange {
  return IDBKeyRange.bound([conversationId, -Infinity], [conversationId, Infinity]);
}
