import { DeviceSearch } from '../../src/e2ee/search/device-search.js';
import { DeviceSearchIndex } from '../../src/e2ee/search/search-index.js';
import { generateSearchKeys, open } from '../../src/e2ee/search/sealing.js';
import { IndexedDbE2eeStore } from '../../src/storage/indexeddb-e2ee-store.js';
import { IndexedDbSearchStore } from '../../src/storage/indexeddb-search-store.js';
import { openAccountDatabase } from '../../src/storage/open-database.js';
import { rawDatabase } from '../helpers/raw-database.js';
import type { BenchOptions, BenchReport } from './bench-worker.js';
// Built by Vite as a worker chunk of its own (as the secure worker is), and its URL passed here.
import builtBenchWorkerUrl from './bench-worker.ts?worker&url';

async function sealedBlocks(userId: string): Promise<{ block: number; iv: number[]; data: number[] }[]> {
  const db = await openAccountDatabase(userId);
  const tx = db.transaction('searchBlocks');
  const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
  db.close();
  return keys.map((block, index) => ({
    block,
    iv: Array.from(values[index]?.iv ?? []),
    data: Array.from(values[index]?.data ?? []),
  }));
}

/** A control for the scans: a string stored in the clear (as the sync token is) in the account's database. */
async function writePlaintext(userId: string, text: string): Promise<void> {
  const db = await openAccountDatabase(userId);
  await db.put('meta', text, 'syncToken');
  db.close();
}

interface TrustedTypesFactory {
  createPolicy(
    name: string,
    rules: { createScriptURL(input: string): string },
  ): {
    createScriptURL(input: string): unknown;
  };
}

/** The server's CSP enforces Trusted Types and allows one policy, `enlets-worker`: the bench worker uses it. */
function benchWorkerUrl(): string {
  const url = builtBenchWorkerUrl;
  const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  if (factory === undefined) return url;
  const policy = factory.createPolicy('enlets-worker', {
    createScriptURL: (input) => {
      if (input !== url) throw new TypeError(`refusing ${input}`);
      return input;
    },
  });
  return policy.createScriptURL(url) as string;
}

function runBench(options: BenchOptions): Promise<BenchReport> {
  const worker = new Worker(benchWorkerUrl(), { type: 'module' });
  return new Promise<BenchReport>((resolve, reject) => {
    worker.addEventListener('message', (event: MessageEvent<BenchReport | { error: string }>) => {
      worker.terminate();
      if ('error' in event.data) reject(new Error(event.data.error));
      else resolve(event.data);
    });
    worker.addEventListener('error', (event) => {
      worker.terminate();
      reject(new Error(`bench worker failed: ${event.message}`));
    });
    worker.postMessage(options);
  });
}

window.enletsSearch = {
  DeviceSearchIndex,
  DeviceSearch,
  IndexedDbSearchStore,
  IndexedDbE2eeStore,
  generateSearchKeys,
  openSealed: open,
  rawDatabase,
  writePlaintext,
  sealedBlocks,
  runBench,
};
