import { DeviceSearch } from '../../src/e2ee/search/device-search.js';
import { DeviceSearchIndex } from '../../src/e2ee/search/search-index.js';
import { generateSearchKeys, open } from '../../src/e2ee/search/sealing.js';
import { IndexedDbE2eeStore } from '../../src/storage/indexeddb-e2ee-store.js';
import { IndexedDbSearchStore } from '../../src/storage/indexeddb-search-store.js';
import { openAccountDatabase } from '../../src/storage/open-database.js';
import type { RawDatabase } from './api.js';
import type { BenchOptions, BenchReport } from './bench-worker.js';
// Built by Vite as a worker chunk of its own (as the secure worker is), and its URL passed here.
import builtBenchWorkerUrl from './bench-worker.ts?worker&url';

const utf8 = new TextEncoder();

function utf16(text: string, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < text.length; i += 1) view.setUint16(i * 2, text.charCodeAt(i), littleEndian);
  return bytes;
}

/** Every byte a value holds, in every form a string could take on disk. */
function collect(
  value: unknown,
  store: string,
  parts: Uint8Array[],
  cryptoKeys: RawDatabase['cryptoKeys'][number][],
): void {
  if (typeof value === 'string') {
    parts.push(utf8.encode(value), utf16(value, true), utf16(value, false));
  } else if (typeof value === 'number') {
    parts.push(utf8.encode(String(value)));
  } else if (value instanceof Uint8Array) {
    parts.push(value);
  } else if (value instanceof ArrayBuffer) {
    parts.push(new Uint8Array(value));
  } else if (value instanceof CryptoKey) {
    cryptoKeys.push({ store, algorithm: value.algorithm.name, extractable: value.extractable });
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, store, parts, cryptoKeys);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      collect(key, store, parts, cryptoKeys);
      collect(item, store, parts, cryptoKeys);
    }
  }
}

async function rawDatabase(userId: string): Promise<RawDatabase> {
  const db = await openAccountDatabase(userId);
  const parts: Uint8Array[] = [];
  const cryptoKeys: RawDatabase['cryptoKeys'][number][] = [];
  let records = 0;
  for (const name of db.objectStoreNames) {
    let cursor = await db.transaction(name).store.openCursor();
    while (cursor !== null) {
      records += 1;
      collect(cursor.key, name, parts, cryptoKeys);
      collect(cursor.value, name, parts, cryptoKeys);
      cursor = await cursor.continue();
    }
  }
  db.close();
  let binary = '';
  for (const part of parts) for (const byte of part) binary += String.fromCharCode(byte);
  return { records, base64: btoa(binary), cryptoKeys };
}

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
  sealedBlocks,
  runBench,
};
