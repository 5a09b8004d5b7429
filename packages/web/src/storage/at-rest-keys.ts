import { generateSearchKeys, type SearchKeys } from '../e2ee/search/sealing.js';
import { writeTransaction, type AccountDatabase } from './open-database.js';

/**
 * The account's at-rest keys on this browser (ADR 0015, 0020): one non-extractable AES-GCM key that seals what
 * the device decrypted (`IndexedDbE2eeStore`: message content, own messages waiting for their seq) and the
 * device search's documents and postings, and the search's HMAC key. One pair per account database, made by
 * WebCrypto in the worker that first needs it and kept by structured clone (which keeps it non-extractable).
 * Every use names its place in the sealed record's additional data, so a record of one kind never opens as
 * another. The store is called `searchKeys` because the search index was its first user (schema version 2).
 */
const CURRENT = 'current';

/** The stored keys, if any. */
export async function loadAtRestKeys(db: AccountDatabase): Promise<SearchKeys | undefined> {
  return db.get('searchKeys', CURRENT);
}

/** Stores `keys` unless keys are stored already; returns the keys stored (two openers agree on one pair). */
export async function addAtRestKeys(db: AccountDatabase, keys: SearchKeys): Promise<SearchKeys> {
  return writeTransaction(db, ['searchKeys'], 'strict', async (tx) => {
    const store = tx.objectStore('searchKeys');
    const stored = await store.get(CURRENT);
    if (stored !== undefined) return stored;
    await store.put({ seal: keys.seal, name: keys.name }, CURRENT);
    return keys;
  });
}

/**
 * The stored keys, made and stored first if there are none. Generating happens outside any transaction
 * (a WebCrypto await inside one would let it commit); `addAtRestKeys` then keeps whichever pair came first.
 */
export async function atRestKeys(db: AccountDatabase): Promise<SearchKeys> {
  return (await loadAtRestKeys(db)) ?? (await addAtRestKeys(db, await generateSearchKeys()));
}
