import type { Sealed, SearchKeys } from '../e2ee/search/sealing.js';
import type {
  ExpiryEntry,
  LocatorEntries,
  LocatorPageKey,
  SearchStore,
  SearchWrite,
  SegmentRow,
  WalkProgress,
} from '../e2ee/search/search-store.js';
import {
  enqueue,
  openAccountDatabase,
  ownBytes,
  writeTransaction,
  type AccountDatabase,
  type SealedRecord,
} from './open-database.js';
import { addAtRestKeys, loadAtRestKeys } from './at-rest-keys.js';

/** Sorts after every string: [t, AFTER_STRINGS] bounds all keys [t, conversationId, seq]. */
const AFTER_STRINGS: never[] = [];

/**
 * The device search's store (ADR 0020) in the account's IndexedDB database (`open-database.ts`, version 2):
 * `searchKeys`, `searchBlocks`, `searchLocators`, `searchSegments`, `searchExpiry`, `searchProgress`. The index
 * seals what must be sealed before it gets here; this class only moves records. Each read is one read-only
 * transaction; `write` is one read-write transaction, `relaxed` (an index lost to a power cut is walked again
 * from the history; a key is written `strict`).
 */
export class IndexedDbSearchStore implements SearchStore {
  readonly #db: AccountDatabase;

  private constructor(db: AccountDatabase) {
    this.#db = db;
  }

  static async open(userId: string): Promise<IndexedDbSearchStore> {
    return new IndexedDbSearchStore(await openAccountDatabase(userId));
  }

  close(): void {
    this.#db.close();
  }

  /** The account's at-rest keys, shared with the sealed content of `IndexedDbE2eeStore` (`at-rest-keys.ts`). */
  async loadKeys(): Promise<SearchKeys | undefined> {
    return loadAtRestKeys(this.#db);
  }

  /** Structured clone keeps the CryptoKeys as they are: non-extractable, usable only through WebCrypto. */
  async addKeys(keys: SearchKeys): Promise<SearchKeys> {
    return addAtRestKeys(this.#db, keys);
  }

  async locators(pages: readonly LocatorPageKey[]): Promise<(LocatorEntries | undefined)[]> {
    const tx = this.#db.transaction('searchLocators', 'readonly');
    const found = await Promise.all(pages.map((p) => tx.store.get([p.conversationId, p.page])));
    await tx.done;
    return found;
  }

  async conversationLocators(conversationId: string): Promise<LocatorEntries[]> {
    return this.#db.getAll(
      'searchLocators',
      IDBKeyRange.bound([conversationId, -Infinity], [conversationId, Infinity]),
    );
  }

  async blocks(blocks: readonly number[]): Promise<(Sealed | undefined)[]> {
    const tx = this.#db.transaction('searchBlocks', 'readonly');
    const found = await Promise.all(blocks.map((block) => tx.store.get(block)));
    await tx.done;
    return found;
  }

  async lastBlock(): Promise<number | undefined> {
    const cursor = await this.#db.transaction('searchBlocks').store.openKeyCursor(null, 'prev');
    return cursor?.key;
  }

  async segmentKeys(): Promise<[number, number][]> {
    return this.#db.getAllKeys('searchSegments');
  }

  async segments(buckets: readonly number[]): Promise<SegmentRow[][]> {
    const tx = this.#db.transaction('searchSegments', 'readonly');
    const found = await Promise.all(
      buckets.map(async (bucket) => {
        const range = IDBKeyRange.bound([bucket, -Infinity], [bucket, Infinity]);
        const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
        return keys.map(([, segment], index): SegmentRow => {
          const sealed = values[index];
          if (sealed === undefined) throw new Error('a search segment vanished inside its transaction');
          return { segment, sealed };
        });
      }),
    );
    await tx.done;
    return found;
  }

  async expired(now: number, limit: number): Promise<ExpiryEntry[]> {
    const keys = await this.#db.getAllKeys(
      'searchExpiry',
      IDBKeyRange.upperBound([now, AFTER_STRINGS]),
      limit,
    );
    return keys.map(([expiresAt, conversationId, seq]) => ({ expiresAt, ref: { conversationId, seq } }));
  }

  async progress(conversationId: string): Promise<WalkProgress> {
    const stored = (await this.#db.get('searchProgress', conversationId)) ?? 0;
    if (typeof stored === 'number') return { complete: stored };
    const { complete, top, bottom } = stored;
    return top === undefined || bottom === undefined ? { complete } : { complete, walked: { top, bottom } };
  }

  async write(write: SearchWrite): Promise<void> {
    const stores = [
      'searchBlocks',
      'searchLocators',
      'searchSegments',
      'searchExpiry',
      'searchProgress',
    ] as const;
    await writeTransaction(this.#db, [...stores], 'relaxed', (tx) => {
      const blocks = tx.objectStore('searchBlocks');
      const locators = tx.objectStore('searchLocators');
      const segments = tx.objectStore('searchSegments');
      const expiry = tx.objectStore('searchExpiry');
      const progress = tx.objectStore('searchProgress');
      for (const block of write.deleteBlocks) enqueue(blocks.delete(block));
      for (const { block, sealed } of write.putBlocks) enqueue(blocks.put(record(sealed), block));
      for (const { conversationId, page } of write.deleteLocators)
        enqueue(locators.delete([conversationId, page]));
      for (const { conversationId, page, entries } of write.putLocators)
        enqueue(locators.put(Float64Array.from(entries), [conversationId, page]));
      for (const { bucket, segment } of write.deleteSegments) enqueue(segments.delete([bucket, segment]));
      for (const { bucket, segment, sealed } of write.putSegments)
        enqueue(segments.put(record(sealed), [bucket, segment]));
      for (const { expiresAt, ref } of write.deleteExpiry)
        enqueue(expiry.delete([expiresAt, ref.conversationId, ref.seq]));
      for (const { expiresAt, ref } of write.putExpiry)
        enqueue(expiry.put(0, [expiresAt, ref.conversationId, ref.seq]));
      for (const { conversationId, progress: walk } of write.progress)
        enqueue(
          progress.put(
            walk.walked === undefined ? walk.complete : { complete: walk.complete, ...walk.walked },
            conversationId,
          ),
        );
      return Promise.resolve();
    });
  }
}

function record(sealed: Sealed): SealedRecord {
  return { iv: ownBytes(sealed.iv), data: ownBytes(sealed.data) };
}
