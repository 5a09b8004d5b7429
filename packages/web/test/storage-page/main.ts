import { IndexedDbClientStore } from '../../src/storage/indexeddb-client-store.js';
import { IndexedDbE2eeStore } from '../../src/storage/indexeddb-e2ee-store.js';
import { accountDatabaseName, deleteAccountDatabase } from '../../src/storage/open-database.js';
import type { WorkerReport, WorkerRequest } from './worker.js';

/**
 * The browser storage test page (packages/web/test/storage.test.ts): the real stores, built by Vite as the
 * client is, exposed on `window` for `page.evaluate`. Nothing here stands in for the stores. (Helpers live here
 * rather than in the evaluated functions: tsx would wrap a named function there in a `__name` call the page lacks.)
 */
export interface StorageTestApi {
  readonly IndexedDbClientStore: typeof IndexedDbClientStore;
  readonly IndexedDbE2eeStore: typeof IndexedDbE2eeStore;
  readonly deleteAccountDatabase: typeof deleteAccountDatabase;
  readonly accountDatabaseName: typeof accountDatabaseName;
  /** Both stores of an account, as the E2EE worker opens them. */
  openAccount(userId: string): Promise<{ store: IndexedDbClientStore; keys: IndexedDbE2eeStore }>;
  /** The numbers of a byte array, to compare in the test, or what the value was instead (a string is a bug). */
  readonly bytes: (value: Uint8Array | null | undefined) => number[] | string;
  /** Runs worker.ts in a new module Web Worker for this account and resolves with what it reports. */
  runInWorker(request: WorkerRequest): Promise<WorkerReport>;
}

declare global {
  interface Window {
    enletsStorage: StorageTestApi;
  }
}

function runInWorker(request: WorkerRequest): Promise<WorkerReport> {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  return new Promise<WorkerReport>((resolve, reject) => {
    worker.addEventListener('message', (event: MessageEvent<WorkerReport>) => {
      resolve(event.data);
      worker.terminate();
    });
    worker.addEventListener('error', (event) => {
      reject(new Error(`worker failed: ${event.message}`));
      worker.terminate();
    });
    worker.postMessage(request);
  });
}

window.enletsStorage = {
  IndexedDbClientStore,
  IndexedDbE2eeStore,
  deleteAccountDatabase,
  accountDatabaseName,
  async openAccount(userId) {
    return { store: await IndexedDbClientStore.open(userId), keys: await IndexedDbE2eeStore.open(userId) };
  },
  bytes: (value) => (value instanceof Uint8Array ? Array.from(value) : String(value)),
  runInWorker,
};
