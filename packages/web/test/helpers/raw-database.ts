import { openAccountDatabase } from '../../src/storage/open-database.js';

/**
 * Page-side (built into the storage and search test pages): everything an account's database holds, read through
 * the IndexedDB API as any script of the origin could, as bytes — strings in UTF-8 and in UTF-16 (little and big
 * endian), byte arrays as they are, numbers as decimal text. CryptoKeys have no bytes to give; what they are is
 * listed apart. `stores` limits the scan to those object stores.
 */
export interface RawDatabase {
  readonly records: number;
  readonly base64: string;
  readonly cryptoKeys: readonly { store: string; algorithm: string; extractable: boolean }[];
}

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
  } else if (ArrayBuffer.isView(value)) {
    parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
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

export async function rawDatabase(userId: string, stores?: readonly string[]): Promise<RawDatabase> {
  const db = await openAccountDatabase(userId);
  const parts: Uint8Array[] = [];
  const cryptoKeys: RawDatabase['cryptoKeys'][number][] = [];
  let records = 0;
  for (const name of db.objectStoreNames) {
    if (stores !== undefined && !stores.includes(name)) continue;
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
