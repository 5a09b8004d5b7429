import {
  deleteDB,
  openDB,
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import type { ConversationEvent } from '@enlets/protocol';
import type { E2eeStore, OutboxEntry, StoredContent } from '@enlets/client';

/** `@enlets/crypto` is off limits to the web client (lint zone); the SDK's interface names the type for us. */
export type TrustRecord = Parameters<E2eeStore['save']>[0];
export type GroupPosition = Parameters<E2eeStore['putGroupPosition']>[1];

/**
 * One account's database: what `IndexedDbClientStore` (outbox, received events, sync position) and
 * `IndexedDbE2eeStore` (keys, group states, decrypted content, trust) keep. One database, so that ending a device
 * (`IndexedDbE2eeStore.claimFor`) drops its keys and its queued messages in one transaction.
 * Bytes are `Uint8Array`s (structured clone), never strings.
 */
export interface AccountSchema extends DBSchema {
  /** Sending order is insertion order: the auto-increment key; replacing an entry keeps its key. */
  outbox: { key: number; value: OutboxEntry; indexes: { byClientMessageId: string } };
  events: { key: [string, number]; value: ConversationEvent };
  cursors: { key: string; value: number };
  meta: { key: MetaKey; value: string };

  secrets: { key: string; value: Uint8Array };
  /** A group's whole saved state, or its epoch part when `groupRatchets` holds the rest (version 4). */
  groups: { key: string; value: Uint8Array };
  /** The message ratchets of a group whose epoch part is in `groups` (`MlsGroup.saveParts`). */
  groupRatchets: { key: string; value: Uint8Array };
  groupPositions: { key: string; value: GroupPosition };
  keyPackages: { key: string; value: { readonly refHex: string; readonly bytes: Uint8Array } };
  /**
   * (conversationId, seq) → what the device decrypted, sealed with the at-rest key (`sealed-content.ts`,
   * version 3). A `StoredContent` in the clear is one an earlier version wrote, until it is sealed in turn.
   */
  contents: { key: [string, number]; value: SealedRecord | StoredContent };
  /** clientMessageId → own content waiting for its seq: sealed as `contents` (a bare array: earlier version). */
  ownPending: { key: string; value: SealedRecord | Uint8Array };
  decryptedUpTo: { key: string; value: number };
  trust: { key: string; value: TrustRecord };

  // Device search (ADR 0020, version 2): blocks and segments are sealed; the rest is metadata the stores above
  // hold in the clear already (which messages, when), never words.
  /** The account's at-rest keys (`at-rest-keys.ts`): the search's first, the decrypted content's too since 3. */
  searchKeys: { key: 'current'; value: SearchKeyPair };
  /** Block number → sealed documents (up to 64 messages). */
  searchBlocks: { key: number; value: SealedRecord };
  /** (conversationId, page) → flat [seq, docKey, block, …] triples. */
  searchLocators: { key: [string, number]; value: Float64Array };
  /** (bucket, segment number) → sealed postings. */
  searchSegments: { key: [number, number]; value: SealedRecord };
  /** (expiresAt, conversationId, seq) of disappearing messages, for the expiry sweep. */
  searchExpiry: { key: [number, string, number]; value: 0 };
  /**
   * conversationId → how far its history was walked into the index: `complete` and, while a walk is under way,
   * the range it walked (`top`, `bottom`); a bare number is `complete` as schema version 2 wrote it.
   */
  searchProgress: {
    key: string;
    value: number | { readonly complete: number; readonly top?: number; readonly bottom?: number };
  };
}

/** The device search's keys (ADR 0020): non-extractable WebCrypto keys, kept as such by structured clone. */
export interface SearchKeyPair {
  /** AES-GCM 256: seals documents and postings. */
  readonly seal: CryptoKey;
  /** HMAC-SHA-256: names the bucket of a token without revealing it. */
  readonly name: CryptoKey;
}

/** AES-GCM ciphertext with its nonce. */
export interface SealedRecord {
  readonly iv: Uint8Array;
  readonly data: Uint8Array;
}

/**
 * `syncToken`: the realtime sync token. `owner`: the device (login session id) whose keys the database holds.
 * `unsealedContent`: set by the upgrade to version 3 when the database existed before: decrypted content written
 * in the clear may remain, and `IndexedDbE2eeStore` seals it (then deletes the mark).
 */
export type MetaKey = 'syncToken' | 'owner' | 'unsealedContent';

export type AccountDatabase = IDBPDatabase<AccountSchema>;
export type AccountStoreName = StoreNames<AccountSchema>;

/**
 * The schema version. A change of schema is a new version with its own step in `upgrade` (never an edit of an
 * earlier step): a browser may open the database last written by any earlier release.
 */
export const SCHEMA_VERSION = 4;

const DATABASE_PREFIX = 'enlets-account-';

/** The database of one account (user id) on this browser profile; two accounts never share one. */
export function accountDatabaseName(userId: string): string {
  if (userId === '') throw new Error('an account database needs a user id');
  return `${DATABASE_PREFIX}${userId}`;
}

/**
 * Opens (creating or upgrading) an account's database. Works on the main thread and in a Web Worker: idb calls
 * the global `indexedDB`, which both have (`window` is never touched).
 *
 * When another connection asks for a newer version, or for deletion ("forget this browser"), this connection
 * closes itself, so the other side is not blocked forever; the stores' calls fail from then on, as they should
 * after the account was forgotten or the app was updated in another tab.
 */
export async function openAccountDatabase(userId: string): Promise<AccountDatabase> {
  requireIndexedDb();
  const db = await openDB<AccountSchema>(accountDatabaseName(userId), SCHEMA_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        const outbox = database.createObjectStore('outbox', { autoIncrement: true });
        outbox.createIndex('byClientMessageId', 'clientMessageId', { unique: true });
        database.createObjectStore('events', { keyPath: ['conversationId', 'seq'] });
        database.createObjectStore('cursors');
        database.createObjectStore('meta');
        database.createObjectStore('secrets');
        database.createObjectStore('groups');
        database.createObjectStore('groupPositions');
        database.createObjectStore('keyPackages', { keyPath: 'refHex' });
        database.createObjectStore('contents');
        database.createObjectStore('ownPending');
        database.createObjectStore('decryptedUpTo');
        database.createObjectStore('trust', { keyPath: 'userId' });
      }
      if (oldVersion < 2) {
        // Device search (ADR 0020).
        database.createObjectStore('searchKeys');
        database.createObjectStore('searchBlocks');
        database.createObjectStore('searchLocators');
        database.createObjectStore('searchSegments');
        database.createObjectStore('searchExpiry');
        database.createObjectStore('searchProgress');
      }
      if (oldVersion < 3) {
        // Decrypted content is sealed from now on (ADR 0015). Sealing takes WebCrypto, which cannot run inside
        // this transaction (an await on anything but its requests commits it): a database that may hold content
        // in the clear is marked, and the store seals that content once it is open.
        if (oldVersion >= 1) enqueue(transaction.objectStore('meta').put('1', 'unsealedContent'));
      }
      if (oldVersion < 4) {
        // Group states in two records: a message rewrites only the ratchets, not the whole state (~1 MB in a
        // group of 1,000). States saved whole before stay readable until their next save splits them.
        database.createObjectStore('groupRatchets');
      }
    },
    blocking() {
      db.close();
    },
  });
  return db;
}

/**
 * Deletes everything this browser profile keeps for an account (sign-out with "forget this browser"). Open
 * connections of this code close themselves (see `openAccountDatabase`); the promise settles once the database
 * is gone.
 */
export async function deleteAccountDatabase(userId: string): Promise<void> {
  requireIndexedDb();
  await deleteDB(accountDatabaseName(userId));
}

/**
 * How hard a write must be on disk before the call returns. `strict`: flushed to disk (keys, group states, the
 * outbox: losing a group state write to a power cut could make the device reuse a message key). `relaxed`:
 * written to the operating system only, for what the server can send again (received events, sync token).
 */
export type Durability = 'strict' | 'relaxed';

/**
 * Runs `work` in one read-write transaction and waits until it committed: every call of a store is one
 * transaction, so a crash leaves the state before or after it. An exception in `work` aborts the transaction,
 * so nothing of it is written. `work` must only await requests of `tx` (another await would let it commit).
 */
export async function writeTransaction<Names extends AccountStoreName[], T>(
  db: AccountDatabase,
  stores: Names,
  durability: Durability,
  work: (tx: IDBPTransaction<AccountSchema, Names, 'readwrite'>) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(stores, 'readwrite', { durability });
  const worked = work(tx).catch((error: unknown) => {
    abortQuietly(tx);
    throw error;
  });
  const [result] = await Promise.all([worked, tx.done]);
  return result;
}

/** Issues a request without waiting for it: a failure aborts its transaction, which `tx.done` reports. */
export function enqueue(request: Promise<unknown>): void {
  request.catch(() => undefined);
}

/** A copy with a buffer of its own: a view on a larger buffer would otherwise store all of that buffer. */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted (the failed request aborted it).
  }
}

function requireIndexedDb(): void {
  if (typeof globalThis.indexedDB === 'undefined') {
    throw new Error('IndexedDB is not available here: this browser cannot keep messages or keys');
  }
}
