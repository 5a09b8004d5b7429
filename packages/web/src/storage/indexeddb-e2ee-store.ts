import type { StoreKey, StoreValue } from 'idb';
import type { E2eeStore, SecretName, StoredContent } from '@enlets/client';
import {
  enqueue,
  openAccountDatabase,
  ownBytes,
  writeTransaction,
  type AccountDatabase,
  type AccountSchema,
  type AccountStoreName,
  type GroupPosition,
  type TrustRecord,
} from './open-database.js';

/**
 * What belongs to one device and dies with it (ADR 0011: a device is a login session): its MLS groups and
 * KeyPackages, its decryption positions and pending own messages, and the client store's outbox (encrypted for
 * its keys, sent in its name) and sync state (the new device starts from the server's heads).
 */
const DEVICE_STORES = [
  'groups',
  'groupPositions',
  'keyPackages',
  'ownPending',
  'decryptedUpTo',
  'outbox',
  'events',
  'cursors',
] as const satisfies readonly AccountStoreName[];

/** The device's own MLS key; the other secrets (identity, archive) are the user's and outlive a login. */
const deviceSecret: SecretName = 'device';

/**
 * The browser's `E2eeStore`: this account's end-to-end encryption keys and what this browser decrypted, in the
 * account's IndexedDB database (`open-database.ts`). Every call is one transaction, written `strict`ly (flushed to
 * disk) because a group state that went back after a power cut could make the device reuse a message key.
 * Bytes go in and come out as `Uint8Array` copies: a caller that changes an array it passed or got back changes
 * nothing stored. Usable on the main thread and in a Web Worker; one device (tab or worker) at a time may use
 * it, or a group's key schedule would fork.
 *
 * The user's keys (identity, history archive), the trust records and the decrypted content outlive a login;
 * the device's MLS keys, groups and KeyPackages, and its outbox, belong to the login that made them (`claimFor`).
 */
export class IndexedDbE2eeStore implements E2eeStore {
  readonly #db: AccountDatabase;

  private constructor(db: AccountDatabase) {
    this.#db = db;
  }

  /** The store of one account on this browser profile. */
  static async open(userId: string): Promise<IndexedDbE2eeStore> {
    return new IndexedDbE2eeStore(await openAccountDatabase(userId));
  }

  /** Closes the connection; calls fail afterwards. */
  close(): void {
    this.#db.close();
  }

  /** The device (login session id) whose MLS keys this store holds, if any. */
  async owner(): Promise<string | undefined> {
    return this.#db.get('meta', 'owner');
  }

  /**
   * Makes the store the given device's. If it held another device's state (an earlier login on this browser
   * profile), that is dropped in the same transaction: its device key, groups, KeyPackages, positions, pending
   * own messages, and the client store's outbox and sync state; the user's identity and archive keys, the
   * trust records and the decrypted content stay. Returns whether another device's state was dropped.
   */
  async claimFor(deviceId: string): Promise<boolean> {
    return writeTransaction(this.#db, ['meta', 'secrets', ...DEVICE_STORES], 'strict', async (tx) => {
      const meta = tx.objectStore('meta');
      const owner = await meta.get('owner');
      if (owner === deviceId) return false;
      const secrets = tx.objectStore('secrets');
      const hadDevice = owner !== undefined || (await secrets.getKey(deviceSecret)) !== undefined;
      for (const name of DEVICE_STORES) enqueue(tx.objectStore(name).clear());
      enqueue(secrets.delete(deviceSecret));
      enqueue(meta.delete('syncToken'));
      enqueue(meta.put(deviceId, 'owner'));
      return hadDevice;
    });
  }

  /**
   * Deletes this device's state as `claimFor` does for an earlier one, and its ownership (after logout the
   * device no longer exists). The user's keys, trust records and decrypted content stay.
   */
  async forgetDevice(): Promise<void> {
    await writeTransaction(this.#db, ['meta', 'secrets', ...DEVICE_STORES], 'strict', (tx) => {
      for (const name of DEVICE_STORES) enqueue(tx.objectStore(name).clear());
      enqueue(tx.objectStore('secrets').delete(deviceSecret));
      enqueue(tx.objectStore('meta').delete('syncToken'));
      enqueue(tx.objectStore('meta').delete('owner'));
      return Promise.resolve();
    });
  }

  async getSecret(name: SecretName): Promise<Uint8Array | undefined> {
    return this.#db.get('secrets', name);
  }

  async putSecret(name: SecretName, bytes: Uint8Array): Promise<void> {
    await this.#put('secrets', ownBytes(bytes), name);
  }

  async getGroup(conversationId: string): Promise<Uint8Array | undefined> {
    return this.#db.get('groups', conversationId);
  }

  async putGroup(conversationId: string, bytes: Uint8Array): Promise<void> {
    await this.#put('groups', ownBytes(bytes), conversationId);
  }

  async getGroupPosition(conversationId: string): Promise<GroupPosition | undefined> {
    return this.#db.get('groupPositions', conversationId);
  }

  async putGroupPosition(conversationId: string, position: GroupPosition): Promise<void> {
    await this.#put('groupPositions', { ...position }, conversationId);
  }

  async deleteGroup(conversationId: string): Promise<void> {
    await writeTransaction(this.#db, ['groups', 'groupPositions'], 'strict', (tx) => {
      enqueue(tx.objectStore('groups').delete(conversationId));
      enqueue(tx.objectStore('groupPositions').delete(conversationId));
      return Promise.resolve();
    });
  }

  async listKeyPackages(): Promise<ReadonlyArray<{ readonly refHex: string; readonly bytes: Uint8Array }>> {
    return this.#db.getAll('keyPackages');
  }

  async putKeyPackage(refHex: string, bytes: Uint8Array): Promise<void> {
    await this.#put('keyPackages', { refHex, bytes: ownBytes(bytes) });
  }

  async deleteKeyPackage(refHex: string): Promise<void> {
    await this.#delete('keyPackages', refHex);
  }

  async getContent(conversationId: string, seq: number): Promise<StoredContent | undefined> {
    return this.#db.get('contents', [conversationId, seq]);
  }

  /** A page of history's content in one read-only transaction. */
  async getContents(
    conversationId: string,
    seqs: readonly number[],
  ): Promise<ReadonlyMap<number, StoredContent>> {
    const tx = this.#db.transaction('contents', 'readonly');
    const found = await Promise.all(seqs.map((seq) => tx.store.get([conversationId, seq])));
    await tx.done;
    const contents = new Map<number, StoredContent>();
    for (const [index, content] of found.entries()) {
      const seq = seqs[index];
      if (content !== undefined && seq !== undefined) contents.set(seq, content);
    }
    return contents;
  }

  async putContent(conversationId: string, seq: number, content: StoredContent): Promise<void> {
    const stored: StoredContent = {
      content: content.content === null ? null : ownBytes(content.content),
      status: content.status,
      ...(content.reason === undefined ? {} : { reason: content.reason }),
      ...(content.sharedBy === undefined ? {} : { sharedBy: content.sharedBy }),
    };
    await this.#put('contents', stored, [conversationId, seq]);
  }

  async putOwnPending(clientMessageId: string, content: Uint8Array): Promise<void> {
    await this.#put('ownPending', ownBytes(content), clientMessageId);
  }

  async takeOwnPending(clientMessageId: string): Promise<Uint8Array | undefined> {
    return writeTransaction(this.#db, ['ownPending'], 'strict', async (tx) => {
      const pending = tx.objectStore('ownPending');
      const content = await pending.get(clientMessageId);
      if (content !== undefined) enqueue(pending.delete(clientMessageId));
      return content;
    });
  }

  async getDecryptedUpTo(conversationId: string): Promise<number> {
    return (await this.#db.get('decryptedUpTo', conversationId)) ?? 0;
  }

  async setDecryptedUpTo(conversationId: string, seq: number): Promise<void> {
    await this.#put('decryptedUpTo', seq, conversationId);
  }

  async load(userId: string): Promise<TrustRecord | undefined> {
    return this.#db.get('trust', userId);
  }

  async save(record: TrustRecord): Promise<void> {
    // Structured clone keeps the record's byte arrays (keys, the signed device list) as bytes.
    await this.#put('trust', record);
  }

  /** One strict single-request transaction (`db.put` would leave the durability to the browser). */
  async #put<Name extends AccountStoreName>(
    store: Name,
    value: StoreValue<AccountSchema, Name>,
    key?: StoreKey<AccountSchema, Name>,
  ): Promise<void> {
    await writeTransaction(this.#db, [store], 'strict', (tx) => {
      enqueue(tx.objectStore(store).put(value, key));
      return Promise.resolve();
    });
  }

  async #delete<Name extends AccountStoreName>(
    store: Name,
    key: StoreKey<AccountSchema, Name>,
  ): Promise<void> {
    await writeTransaction(this.#db, [store], 'strict', (tx) => {
      enqueue(tx.objectStore(store).delete(key));
      return Promise.resolve();
    });
  }
}
