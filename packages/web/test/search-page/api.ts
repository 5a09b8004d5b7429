import type { DeviceSearch } from '../../src/e2ee/search/device-search.js';
import type { DeviceSearchIndex } from '../../src/e2ee/search/search-index.js';
import type { generateSearchKeys, open } from '../../src/e2ee/search/sealing.js';
import type { IndexedDbE2eeStore } from '../../src/storage/indexeddb-e2ee-store.js';
import type { IndexedDbSearchStore } from '../../src/storage/indexeddb-search-store.js';
import type { RawDatabase } from '../helpers/raw-database.js';
import type { BenchOptions, BenchReport } from './bench-worker.js';

/**
 * The device search test page (packages/web/test/search.test.ts, bench/web/search.ts): the real index over
 * the real IndexedDB store, built by Vite as the client is, exposed on `window` for `page.evaluate`.
 */
export interface SearchTestApi {
  readonly DeviceSearchIndex: typeof DeviceSearchIndex;
  readonly DeviceSearch: typeof DeviceSearch;
  readonly IndexedDbSearchStore: typeof IndexedDbSearchStore;
  readonly IndexedDbE2eeStore: typeof IndexedDbE2eeStore;
  readonly generateSearchKeys: typeof generateSearchKeys;
  /** Opens a sealed record (sealing.ts `open`). */
  readonly openSealed: typeof open;
  /**
   * Everything the account's database holds, every store, key and value, as bytes (base64): strings in UTF-8
   * and in UTF-16 (little and big endian), byte arrays as they are, numbers as decimal text. CryptoKeys have
   * no bytes to give; what they are is listed apart.
   */
  readonly rawDatabase: (userId: string, stores?: readonly string[]) => Promise<RawDatabase>;
  /** Stores `text` in the clear in the account's database: the control that shows a scan finds plaintext. */
  readonly writePlaintext: (userId: string, text: string) => Promise<void>;
  /** The sealed blocks of documents of the index, as stored. */
  readonly sealedBlocks: (userId: string) => Promise<{ block: number; iv: number[]; data: number[] }[]>;
  /** Runs the indexing and query benchmark in a module Web Worker, as the secure worker runs the index. */
  readonly runBench: (options: BenchOptions) => Promise<BenchReport>;
}

export type { RawDatabase } from '../helpers/raw-database.js';

declare global {
  interface Window {
    enletsSearch: SearchTestApi;
  }
}
