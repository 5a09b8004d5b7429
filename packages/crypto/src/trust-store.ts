import { bytesEqual } from './bytes.js';
import {
  checkDeviceListUpdate,
  decodeDeviceList,
  DeviceListFormatError,
  type DeviceListRefusal,
  type SignedDeviceList,
} from './device-list.js';
import type { TrustedUser, TrustLookup } from './authentication.js';

/**
 * What a client trusts about other users (and itself): the pinned identity key of each user, whether it was
 * verified by comparing safety numbers, and the newest device list signed by that key (ADR 0011).
 *
 * Pinning is trust on first use: the first identity key seen for a user is pinned. A different key later is
 * never adopted silently: it is kept aside as `changedIdentityKey` for the client to show, and leaves signed
 * under it are refused, until the user accepts the change (`acceptIdentityChange`), which drops the
 * verification and the old device list.
 */
export interface TrustRecord {
  readonly userId: string;
  readonly identityKey: Uint8Array;
  readonly verification: 'unverified' | 'verified';
  readonly deviceList: SignedDeviceList | undefined;
  /** A different identity key the directory announced and the user has not accepted (yet). */
  readonly changedIdentityKey: Uint8Array | undefined;
}

/** Where trust records live: IndexedDB in the browser, a file or table elsewhere. */
export interface TrustStorage {
  load(userId: string): Promise<TrustRecord | undefined>;
  save(record: TrustRecord): Promise<void>;
}

/** The server's (untrusted) directory of identity keys and signed device lists. */
export interface TrustDirectory {
  fetchUser(
    userId: string,
  ): Promise<{ identityKey: Uint8Array; deviceList: Uint8Array | undefined } | undefined>;
}

export type IdentityObservation =
  | { readonly kind: 'pinned' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'changed'; readonly pinned: Uint8Array; readonly announced: Uint8Array };

export type DeviceListObservation =
  | { readonly kind: 'adopted'; readonly version: number }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'refused'; readonly reason: DeviceListRefusal | 'malformed' | 'identity-unknown' };

export class MemoryTrustStorage implements TrustStorage {
  readonly #records = new Map<string, TrustRecord>();

  load(userId: string): Promise<TrustRecord | undefined> {
    return Promise.resolve(this.#records.get(userId));
  }

  save(record: TrustRecord): Promise<void> {
    this.#records.set(record.userId, record);
    return Promise.resolve();
  }
}

export class TrustStore implements TrustLookup {
  readonly #storage: TrustStorage;
  readonly #directory: TrustDirectory | undefined;

  constructor(storage: TrustStorage, directory?: TrustDirectory) {
    this.#storage = storage;
    this.#directory = directory;
  }

  /** What is trusted about `userId`; on first contact it is learned from the directory (trust on first use). */
  async trustedUser(userId: string): Promise<TrustedUser | undefined> {
    const record = await this.#storage.load(userId);
    if (record !== undefined) return toTrustedUser(record);
    return this.refreshUser(userId);
  }

  /** Fetches the user from the directory and learns what checks out: never replaces a pinned key. */
  async refreshUser(userId: string): Promise<TrustedUser | undefined> {
    const fetched = await this.#directory?.fetchUser(userId);
    if (fetched !== undefined) {
      await this.learnIdentity(userId, fetched.identityKey);
      if (fetched.deviceList !== undefined) await this.learnDeviceList(userId, fetched.deviceList);
    }
    const record = await this.#storage.load(userId);
    return record === undefined ? undefined : toTrustedUser(record);
  }

  async record(userId: string): Promise<TrustRecord | undefined> {
    return this.#storage.load(userId);
  }

  /** Pins the first key seen; reports (and keeps aside) a different one without adopting it. */
  async learnIdentity(userId: string, identityKey: Uint8Array): Promise<IdentityObservation> {
    const record = await this.#storage.load(userId);
    if (record === undefined) {
      await this.#storage.save({
        userId,
        identityKey: Uint8Array.from(identityKey),
        verification: 'unverified',
        deviceList: undefined,
        changedIdentityKey: undefined,
      });
      return { kind: 'pinned' };
    }
    if (bytesEqual(record.identityKey, identityKey)) return { kind: 'unchanged' };
    await this.#storage.save({ ...record, changedIdentityKey: Uint8Array.from(identityKey) });
    return { kind: 'changed', pinned: record.identityKey, announced: identityKey };
  }

  /**
   * Adopts a device list if it is signed by the pinned key and newer than the one held. A replay of the held
   * list is `unchanged`; a rollback, a forged or edited list is refused.
   */
  async learnDeviceList(userId: string, list: SignedDeviceList | Uint8Array): Promise<DeviceListObservation> {
    let signed: SignedDeviceList;
    try {
      signed = list instanceof Uint8Array ? decodeDeviceList(list) : list;
    } catch (error) {
      if (error instanceof DeviceListFormatError) return { kind: 'refused', reason: 'malformed' };
      throw error;
    }
    const record = await this.#storage.load(userId);
    if (record === undefined) return { kind: 'refused', reason: 'identity-unknown' };
    const held = record.deviceList;
    if (held !== undefined && held.version === signed.version && bytesEqual(held.signature, signed.signature))
      return { kind: 'unchanged' };
    const verdict = checkDeviceListUpdate({
      previous: held,
      next: signed,
      identityKey: record.identityKey,
      userId,
    });
    if (!verdict.ok) return { kind: 'refused', reason: verdict.reason };
    await this.#storage.save({ ...record, deviceList: signed });
    return { kind: 'adopted', version: signed.version };
  }

  /**
   * Records that the user compared safety numbers for exactly this key. Returns false (and changes nothing)
   * when `identityKey` is not the pinned key.
   */
  async markVerified(userId: string, identityKey: Uint8Array): Promise<boolean> {
    const record = await this.#storage.load(userId);
    if (record === undefined || !bytesEqual(record.identityKey, identityKey)) return false;
    await this.#storage.save({ ...record, verification: 'verified' });
    return true;
  }

  /**
   * The user's explicit decision to trust a changed identity key: it becomes the pinned key, unverified, and the
   * device list signed by the old key is dropped (the next refresh fetches one signed by the new key).
   */
  async acceptIdentityChange(userId: string, identityKey: Uint8Array): Promise<void> {
    const record = await this.#storage.load(userId);
    if (record?.changedIdentityKey === undefined || !bytesEqual(record.changedIdentityKey, identityKey))
      throw new RangeError('no such identity change is pending for this user');
    await this.#storage.save({
      userId,
      identityKey: Uint8Array.from(identityKey),
      verification: 'unverified',
      deviceList: undefined,
      changedIdentityKey: undefined,
    });
  }
}

function toTrustedUser(record: TrustRecord): TrustedUser {
  return {
    identityKey: record.identityKey,
    verification: record.verification,
    deviceList: record.deviceList,
  };
}
