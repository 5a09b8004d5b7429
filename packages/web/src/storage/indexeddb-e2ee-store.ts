import type { StoreKey, StoreValue } from 'idb';
import type { E2eeStore, SecretName, StoredContent } from '@enlets/client';
import type { SearchKeys } from '../e2ee/search/sealing.js';
import { atRestKeys } from './at-rest-keys.js';
import {
  enqueue,
  openAccountDatabase,
  ownBytes,
  writeTransaction,
  type AccountDatabase,
  type AccountSchema,
  type AccountStoreName,
  type GroupPosition,
  type SealedRecord,
  type TrustRecord,
} from './open-database.js';
import { isSealed, openContent, openOwnPending, sealContent, sealOwnPending } from './sealed-content.js';

/**
 * What belongs to one device and dies with it (ADR 0011: a device is a login session): its MLS groups and
 * KeyPackages, its decryption positions and pending own messages, and the client store's outbox (encrypted for
 * its keys, sent in its name) and sync state (the new device starts from the server's heads).
 */
const DEVICE_STORES = [
  'groups',
  'groupRatchets',
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

/** Rows sealed per transaction when content an earlier version stored in the clear is sealed. */
const SEAL_BATCH = 256;

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
 *
 * What the device decrypted (`contents`) and its own messages waiting for their seq (`ownPending`) are sealed
 * with the account's non-extractable at-rest key before they reach IndexedDB (`sealed-content.ts`): no word of
 * a message is in the database's files. Each record is opened when it is read, so a page of history unseals
 * only that page.
 */
export class IndexedDbE2eeStore implements E2eeStore {
  readonly #db: AccountDatabase;
  readonly #keys: SearchKeys;
  /** Sealing what an earlier version stored in the clear, in the background (settled when done or failed). */
  #sealingEarlier: Promise<void> = Promise.resolve();

  private constructor(db: AccountDatabase, keys: SearchKeys) {
    this.#db = db;
    this.#keys = keys;
  }

  /**
   * The store of one account on this browser profile. Content an earlier version stored in the clear is
   * sealed in the background (`whenSealed`): a large history must not hold up the app's start, and reads take
   * either form meanwhile.
   */
  static async open(userId: string): Promise<IndexedDbE2eeStore> {
    const db = await openAccountDatabase(userId);
    const store = new IndexedDbE2eeStore(db, await atRestKeys(db));
    store.#sealingEarlier = store.#sealEarlierContent().catch(() => {
      // Closed meanwhile, or the database refused: the mark stays, the next open goes on from there.
    });
    return store;
  }

  /** Settles once content an earlier version stored in the clear is sealed (or this open gave up on it). */
  whenSealed(): Promise<void> {
    return this.#sealingEarlier;
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
    // A whole state replaces both records: ratchets left beside it would belong to an older epoch part.
    await writeTransaction(this.#db, ['groups', 'groupRatchets'], 'strict', (tx) => {
      enqueue(tx.objectStore('groups').put(ownBytes(bytes), conversationId));
      enqueue(tx.objectStore('groupRatchets').delete(conversationId));
      return Promise.resolve();
    });
  }

  /** One transaction, flushed to disk: a ratchet record only fits the epoch record written with it. */
  async putGroupParts(
    conversationId: string,
    epoch: Uint8Array | undefined,
    ratchets: Uint8Array,
  ): Promise<void> {
    await writeTransaction(this.#db, ['groups', 'groupRatchets'], 'strict', (tx) => {
      if (epoch !== undefined) enqueue(tx.objectStore('groups').put(ownBytes(epoch), conversationId));
      enqueue(tx.objectStore('groupRatchets').put(ownBytes(ratchets), conversationId));
      return Promise.resolve();
    });
  }

  async getGroupRatchets(conversationId: string): Promise<Uint8Array | undefined> {
    return this.#db.get('groupRatchets', conversationId);
  }

  async getGroupPosition(conversationId: string): Promise<GroupPosition | undefined> {
    return this.#db.get('groupPositions', conversationId);
  }

  async putGroupPosition(conversationId: string, position: GroupPosition): Promise<void> {
    await this.#put('groupPositions', { ...position }, conversationId);
  }

  async deleteGroup(conversationId: string): Promise<void> {
    await writeTransaction(this.#db, ['groups', 'groupRatchets', 'groupPositions'], 'strict', (tx) => {
      enqueue(tx.objectStore('groups').delete(conversationId));
      enqueue(tx.objectStore('groupRatchets').delete(conversationId));
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
    const stored = await this.#db.get('contents', [conversationId, seq]);
    return stored === undefined ? undefined : this.#openContent(conversationId, seq, stored);
  }

  /**
   * A page of history's content in one read-only transaction, opened after it: only the seqs asked for are
   * unsealed (a conversation's latest screen, not its history).
   */
  async getContents(
    conversationId: string,
    seqs: readonly number[],
  ): Promise<ReadonlyMap<number, StoredContent>> {
    const tx = this.#db.transaction('contents', 'readonly');
    const found = await Promise.all(seqs.map((seq) => tx.store.get([conversationId, seq])));
    await tx.done;
    const contents = new Map<number, StoredContent>();
    await Promise.all(
      found.map(async (stored, index) => {
        const seq = seqs[index];
        if (stored !== undefined && seq !== undefined)
          contents.set(seq, await this.#openContent(conversationId, seq, stored));
      }),
    );
    return contents;
  }

  /** Sealed before the transaction (WebCrypto cannot run inside one), written in one strict transaction. */
  async putContent(conversationId: string, seq: number, content: StoredContent): Promise<void> {
    await this.#put('contents', await sealContent(this.#keys, conversationId, seq, content), [
      conversationId,
      seq,
    ]);
  }

  async putOwnPending(clientMessageId: string, content: Uint8Array): Promise<void> {
    await this.#put(
      'ownPending',
      await sealOwnPending(this.#keys, clientMessageId, content),
      clientMessageId,
    );
  }

  /** Taken (read and deleted) in one transaction, opened after it. */
  async takeOwnPending(clientMessageId: string): Promise<Uint8Array | undefined> {
    const stored = await writeTransaction(this.#db, ['ownPending'], 'strict', async (tx) => {
      const pending = tx.objectStore('ownPending');
      const content = await pending.get(clientMessageId);
      if (content !== undefined) enqueue(pending.delete(clientMessageId));
      return content;
    });
    if (stored === undefined) return undefined;
    return isSealed(stored) ? openOwnPending(this.#keys, clientMessageId, stored) : stored;
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

  /** Stored content of either form: sealed, or in the clear as an earlier version wrote it. */
  async #openContent(
    conversationId: string,
    seq: number,
    stored: SealedRecord | StoredContent,
  ): Promise<StoredContent> {
    return isSealed(stored) ? openContent(this.#keys, conversationId, seq, stored) : stored;
  }

  /**
   * Seals what an earlier version (schema < 3) stored in the clear, batch by batch, then removes the mark the
   * upgrade left. A row is replaced only if it is still in the clear when its batch is written, so a newer
   * write (sealed) is never overwritten with an older value. Re-fetching instead is not possible: the server
   * keeps only ciphertext, and the MLS keys that opened it are gone (forward secrecy).
   */
  async #sealEarlierContent(): Promise<void> {
    if ((await this.#db.get('meta', 'unsealedContent')) === undefined) return;
    for (let after: [string, number] | undefined; ;) {
      const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
      const tx = this.#db.transaction('contents', 'readonly');
      const [keys, values] = await Promise.all([
        tx.store.getAllKeys(range, SEAL_BATCH),
        tx.store.getAll(range, SEAL_BATCH),
      ]);
      await tx.done;
      if (keys.length === 0) break;
      after = keys.at(-1);
      const sealed = await Promise.all(
        keys.map(async ([conversationId, seq], index) => {
          const value = values[index];
          return value === undefined || isSealed(value)
            ? undefined
            : {
                key: [conversationId, seq] as [string, number],
                record: await sealContent(this.#keys, conversationId, seq, value),
              };
        }),
      );
      await writeTransaction(this.#db, ['contents'], 'relaxed', async (write) => {
        const contents = write.objectStore('contents');
        for (const row of sealed) {
          if (row === undefined) continue;
          const current = await contents.get(row.key);
          if (current !== undefined && !isSealed(current)) enqueue(contents.put(row.record, row.key));
        }
      });
    }
    const pending = await this.#db.getAllKeys('ownPending');
    const sealedPending = await Promise.all(
      pending.map(async (clientMessageId) => {
        const value = await this.#db.get('ownPending', clientMessageId);
        return value === undefined || isSealed(value)
          ? undefined
          : { clientMessageId, record: await sealOwnPending(this.#keys, clientMessageId, value) };
      }),
    );
    await writeTransaction(this.#db, ['ownPending', 'meta'], 'strict', async (write) => {
      const store = write.objectStore('ownPending');
      for (const row of sealedPending) {
        if (row === undefined) continue;
        const current = await store.get(row.clientMessageId);
        if (current !== undefined && !isSealed(current)) enqueue(store.put(row.record, row.clientMessageId));
      }
      enqueue(write.objectStore('meta').delete('unsealedContent'));
    });
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
