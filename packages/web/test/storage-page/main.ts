import { IndexedDbClientStore } from '../../src/storage/indexeddb-client-store.js';
import { IndexedDbE2eeStore } from '../../src/storage/indexeddb-e2ee-store.js';
import { accountDatabaseName, deleteAccountDatabase } from '../../src/storage/open-database.js';
import { openDB } from 'idb';
import type { StoredContent } from '@enlets/client';
import { rawDatabase, type RawDatabase } from '../helpers/raw-database.js';
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
  /**
   * Writes an account database as schema version 2 (before content was sealed) left it: its stores, with
   * `contents` and `ownPending` in the clear. Version 2's upgrade steps are repeated here on purpose: they are
   * what an earlier release ran, and must not follow later edits.
   */
  writeVersion2Database(
    userId: string,
    contents: readonly (readonly [string, number, StoredContent])[],
    ownPending: readonly (readonly [string, Uint8Array])[],
  ): Promise<void>;
  /** The stores' keys and values as bytes, read through the IndexedDB API (`helpers/raw-database.ts`). */
  rawDatabase(userId: string, stores?: readonly string[]): Promise<RawDatabase>;
  /** For each record of `store`: whether it is a sealed record (nonce and ciphertext) or something else. */
  recordShapes(userId: string, store: 'contents' | 'ownPending'): Promise<('sealed' | 'clear')[]>;
  /** Copies a `contents` record, as stored, to another (conversation, seq). */
  copyContentRecord(userId: string, from: [string, number], to: [string, number]): Promise<void>;
  /** The value of a `meta` key, as stored. */
  meta(userId: string, key: string): Promise<string | undefined>;
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

async function writeVersion2Database(
  userId: string,
  contents: readonly (readonly [string, number, StoredContent])[],
  ownPending: readonly (readonly [string, Uint8Array])[],
): Promise<void> {
  const db = await openDB(accountDatabaseName(userId), 2, {
    upgrade(database) {
      const outbox = database.createObjectStore('outbox', { autoIncrement: true });
      outbox.createIndex('byClientMessageId', 'clientMessageId', { unique: true });
      database.createObjectStore('events', { keyPath: ['conversationId', 'seq'] });
      for (const name of ['cursors', 'meta', 'secrets', 'groups', 'groupPositions'])
        database.createObjectStore(name);
      database.createObjectStore('keyPackages', { keyPath: 'refHex' });
      for (const name of ['contents', 'ownPending', 'decryptedUpTo']) database.createObjectStore(name);
      database.createObjectStore('trust', { keyPath: 'userId' });
      for (const name of ['Keys', 'Blocks', 'Locators', 'Segments', 'Expiry', 'Progress'])
        database.createObjectStore(`search${name}`);
    },
  });
  const tx = db.transaction(['contents', 'ownPending'], 'readwrite');
  for (const [conversationId, seq, content] of contents)
    await tx.objectStore('contents').put(content, [conversationId, seq]);
  for (const [clientMessageId, content] of ownPending)
    await tx.objectStore('ownPending').put(content, clientMessageId);
  await tx.done;
  db.close();
}

async function recordShapes(
  userId: string,
  store: 'contents' | 'ownPending',
): Promise<('sealed' | 'clear')[]> {
  const db = await openDB(accountDatabaseName(userId));
  const values = (await db.getAll(store)) as unknown[];
  db.close();
  return values.map((value) =>
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    Object.keys(value).sort().join() === 'data,iv'
      ? 'sealed'
      : 'clear',
  );
}

async function copyContentRecord(
  userId: string,
  from: [string, number],
  to: [string, number],
): Promise<void> {
  const db = await openDB(accountDatabaseName(userId));
  const tx = db.transaction('contents', 'readwrite');
  await tx.store.put(await tx.store.get(from), to);
  await tx.done;
  db.close();
}

async function meta(userId: string, key: string): Promise<string | undefined> {
  const db = await openDB(accountDatabaseName(userId));
  const value = (await db.get('meta', key)) as string | undefined;
  db.close();
  return value;
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
  writeVersion2Database,
  rawDatabase,
  recordShapes,
  copyContentRecord,
  meta,
};
