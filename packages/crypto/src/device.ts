import {
  createGroup,
  decode,
  encode,
  joinGroup,
  joinGroupExternal,
  mlsMessageDecoder,
  mlsMessageEncoder,
  defaultExtensionTypes,
  protocolVersions,
  wireformats,
  zeroOutUint8Array,
  type CiphersuiteImpl,
  type ClientState,
  type GroupInfoExtension,
  type MlsContext,
} from 'ts-mls';
import {
  createAuthenticationService,
  type AuthenticationFailure,
  type TrustLookup,
} from './authentication.js';
import { bytesEqual, fromUtf8, lengthPrefixed, splitLengthPrefixed, utf8 } from './bytes.js';
import {
  CredentialFormatError,
  decodeDeviceCredential,
  encodeDeviceCredential,
  type DeviceCredential,
} from './credential.js';
import type { DeviceListEntry } from './device-list.js';
import {
  decodeKeyPackageMessage,
  generateKeyPackage,
  privateKeyPackageOf,
  type DeviceSigningKeys,
  type LocalKeyPackage,
} from './key-packages.js';
import { encodeGroupInfo, MlsRefusedError, readSavedGroup, TsMlsGroup, type MlsGroup } from './group.js';
import type { IdentityKeyPair } from './identity.js';
import { ciphersuite } from './provider.js';
import { SecretBytes } from './secret.js';
import { isMlsSuiteName, type MlsSuiteName } from './suites.js';

/**
 * This device as an MLS client (ADR 0011: device = login session): its long-term MLS signature key pair, the
 * credential by which the user's identity key vouches for that key, and the door to its groups. Like `MlsGroup`
 * it is our interface; `createMlsDevice`/`restoreMlsDevice` build the ts-mls implementation.
 */
export interface MlsDevice {
  readonly userId: string;
  readonly deviceId: string;
  readonly suite: MlsSuiteName;
  readonly signaturePublicKey: Uint8Array;
  /** The entry to put in the user's signed device list for this device. */
  deviceListEntry(): DeviceListEntry;

  /** Fresh KeyPackages to upload (90-day lifetime); `lastResort` marks the one the server keeps handing out. */
  generateKeyPackages(count: number, options?: { lastResort?: boolean }): Promise<LocalKeyPackage[]>;
  /** A new group for a conversation (group id = conversation id), with this device as its only member. */
  createGroup(conversationId: string): Promise<MlsGroup>;
  /**
   * Joins from a Welcome (MLSMessage bytes) addressed to one of `keyPackages`. The private keys of a one-time
   * package are destroyed after use; a last-resort package keeps them. Refused with MlsRefusedError when any
   * leaf of the group fails authentication.
   */
  joinFromWelcome(
    welcome: Uint8Array,
    keyPackages: readonly LocalKeyPackage[],
  ): Promise<{ group: MlsGroup; keyPackage: LocalKeyPackage }>;
  /**
   * Prepares an external commit joining the group of `groupInfo` (MLSMessage bytes from the DS). If this
   * device still has a leaf in the group (lost state), the commit replaces it. Adopt with `confirm()` after the
   * DS accepted the commit.
   */
  joinExternal(groupInfo: Uint8Array): Promise<PendingExternalJoin>;
  restoreGroup(saved: SecretBytes): Promise<MlsGroup>;
  /** The device's keys and credential as opaque bytes for its storage. */
  save(): SecretBytes;
  destroy(): void;
}

export interface PendingExternalJoin {
  /** The epoch of the GroupInfo: the DS accepts the commit only at this epoch. */
  readonly epoch: bigint;
  /** MLSMessage bytes: the external commit (a PublicMessage). */
  readonly commit: Uint8Array;
  /** MLSMessage bytes: the GroupInfo of the new epoch. */
  readonly groupInfo: Uint8Array;
  confirm(): MlsGroup;
}

/** A new device: a fresh MLS signature key pair whose credential the user's identity key signs. */
export async function createMlsDevice(params: {
  readonly userId: string;
  readonly deviceId: string;
  readonly suite: MlsSuiteName;
  readonly identity: IdentityKeyPair;
  readonly trust: TrustLookup;
}): Promise<MlsDevice> {
  const cs = await ciphersuite(params.suite);
  const keys = await cs.signature.keygen();
  const credential = params.identity.signDeviceCredential(params.userId, params.deviceId, keys.publicKey);
  return new TsMlsDevice({
    suite: params.suite,
    cs,
    trust: params.trust,
    credential,
    signingKeys: { publicKey: keys.publicKey, privateKey: new SecretBytes(keys.signKey) },
  });
}

const SAVED_DEVICE_FORMAT = 1;

export class SavedDeviceFormatError extends Error {
  override readonly name = 'SavedDeviceFormatError';
}

/** Reads `MlsDevice.save()` output back. */
export async function restoreMlsDevice(saved: SecretBytes, trust: TrustLookup): Promise<MlsDevice> {
  const parts = splitLengthPrefixed(saved.exposeBytes());
  const [format, suiteBytes, credentialBytes, publicKey, privateKey] = parts ?? [];
  if (parts?.length !== 5 || format?.[0] !== SAVED_DEVICE_FORMAT || !suiteBytes || !credentialBytes)
    throw new SavedDeviceFormatError('not a saved device');
  if (publicKey === undefined || privateKey === undefined)
    throw new SavedDeviceFormatError('not a saved device');
  const suite = fromUtf8(suiteBytes);
  if (!isMlsSuiteName(suite)) throw new SavedDeviceFormatError('unknown cipher suite');
  let credential: DeviceCredential;
  try {
    credential = decodeDeviceCredential(credentialBytes);
  } catch (error) {
    if (error instanceof CredentialFormatError) throw new SavedDeviceFormatError(error.message);
    throw error;
  }
  return new TsMlsDevice({
    suite,
    cs: await ciphersuite(suite),
    trust,
    credential,
    signingKeys: { publicKey: Uint8Array.from(publicKey), privateKey: SecretBytes.copyOf(privateKey) },
  });
}

class TsMlsDevice implements MlsDevice {
  readonly suite: MlsSuiteName;
  readonly #cs: CiphersuiteImpl;
  readonly #trust: TrustLookup;
  readonly #credential: DeviceCredential;
  readonly #signingKeys: DeviceSigningKeys;

  constructor(params: {
    suite: MlsSuiteName;
    cs: CiphersuiteImpl;
    trust: TrustLookup;
    credential: DeviceCredential;
    signingKeys: DeviceSigningKeys;
  }) {
    this.suite = params.suite;
    this.#cs = params.cs;
    this.#trust = params.trust;
    this.#credential = params.credential;
    this.#signingKeys = params.signingKeys;
  }

  get userId(): string {
    return this.#credential.userId;
  }

  get deviceId(): string {
    return this.#credential.deviceId;
  }

  get signaturePublicKey(): Uint8Array {
    return this.#signingKeys.publicKey;
  }

  deviceListEntry(): DeviceListEntry {
    return { deviceId: this.deviceId, signatureKey: this.signaturePublicKey };
  }

  async generateKeyPackages(
    count: number,
    options: { lastResort?: boolean } = {},
  ): Promise<LocalKeyPackage[]> {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    const packages: LocalKeyPackage[] = [];
    for (let i = 0; i < count; i++)
      packages.push(
        await generateKeyPackage({
          suite: this.suite,
          credential: this.#credential,
          signingKeys: this.#signingKeys,
          lastResort: options.lastResort ?? false,
        }),
      );
    return packages;
  }

  async createGroup(conversationId: string): Promise<MlsGroup> {
    const [own] = await this.generateKeyPackages(1);
    if (own === undefined) throw new Error('unreachable: one key package was generated');
    const privateKeys = privateKeyPackageOf(own);
    const state = await createGroup({
      context: this.#context([]),
      groupId: utf8(conversationId),
      keyPackage: decodeKeyPackageMessage(own.message),
      privateKeyPackage: privateKeys,
    });
    // The group's leaf uses the HPKE and signature keys; the init key of a package used this way is never needed.
    zeroOutUint8Array(privateKeys.initPrivateKey);
    own.privateKeys.destroy();
    return this.#group(state);
  }

  async joinFromWelcome(
    welcomeBytes: Uint8Array,
    keyPackages: readonly LocalKeyPackage[],
  ): Promise<{ group: MlsGroup; keyPackage: LocalKeyPackage }> {
    let message;
    try {
      message = decode(mlsMessageDecoder, welcomeBytes);
    } catch {
      message = undefined;
    }
    if (message?.wireformat !== wireformats.mls_welcome)
      throw new MlsRefusedError('The invitation is not an MLS Welcome', []);
    const welcome = message.welcome;
    const keyPackage = keyPackages.find((kp) => welcome.secrets.some((s) => bytesEqual(s.newMember, kp.ref)));
    if (keyPackage === undefined)
      throw new MlsRefusedError('The invitation is for none of this device’s key packages', []);
    const privateKeys = privateKeyPackageOf(keyPackage);
    const failures: AuthenticationFailure[] = [];
    let state: ClientState;
    try {
      state = await joinGroup({
        context: this.#context(failures, true),
        welcome,
        keyPackage: decodeKeyPackageMessage(keyPackage.message),
        privateKeys,
      });
    } catch (error) {
      throw new MlsRefusedError(`Joining the group was refused (${describe(error)})`, failures);
    }
    zeroOutUint8Array(privateKeys.initPrivateKey);
    if (!keyPackage.lastResort) keyPackage.privateKeys.destroy();
    return { group: this.#group(state), keyPackage };
  }

  async joinExternal(groupInfoBytes: Uint8Array): Promise<PendingExternalJoin> {
    let message;
    try {
      message = decode(mlsMessageDecoder, groupInfoBytes);
    } catch {
      message = undefined;
    }
    if (message?.wireformat !== wireformats.mls_group_info)
      throw new MlsRefusedError('The group description is not an MLS GroupInfo', []);
    const groupInfo = message.groupInfo;
    const [own] = await this.generateKeyPackages(1);
    if (own === undefined) throw new Error('unreachable: one key package was generated');
    const privateKeys = privateKeyPackageOf(own);
    own.privateKeys.destroy();
    const failures: AuthenticationFailure[] = [];
    let joined;
    try {
      joined = await joinGroupExternal({
        context: this.#context(failures, true),
        groupInfo,
        keyPackage: decodeKeyPackageMessage(own.message),
        privateKeys,
        resync: this.#hasLeafIn(groupInfo.extensions),
      });
    } catch (error) {
      throw new MlsRefusedError(`Joining the group was refused (${describe(error)})`, failures);
    }
    zeroOutUint8Array(privateKeys.initPrivateKey);
    const { newState } = joined;
    const commit = encode(mlsMessageEncoder, {
      wireformat: wireformats.mls_public_message,
      publicMessage: joined.publicMessage,
      version: protocolVersions.mls10,
    });
    const nextGroupInfo = await encodeGroupInfo(newState, this.#cs);
    let confirmed = false;
    return {
      epoch: groupInfo.groupContext.epoch,
      commit,
      groupInfo: nextGroupInfo,
      confirm: () => {
        if (confirmed) throw new RangeError('this join was already confirmed');
        confirmed = true;
        return this.#group(newState);
      },
    };
  }

  async restoreGroup(saved: SecretBytes): Promise<MlsGroup> {
    const { state, pending, updateRequired } = readSavedGroup(saved);
    if (state.groupContext.cipherSuite !== this.#cs.id)
      throw new RangeError('the group uses another cipher suite');
    return Promise.resolve(
      new TsMlsGroup({ suite: this.suite, cs: this.#cs, trust: this.#trust, state, pending, updateRequired }),
    );
  }

  save(): SecretBytes {
    return new SecretBytes(
      lengthPrefixed([
        Uint8Array.of(SAVED_DEVICE_FORMAT),
        utf8(this.suite),
        encodeDeviceCredential(this.#credential),
        this.#signingKeys.publicKey,
        this.#signingKeys.privateKey.exposeBytes(),
      ]),
    );
  }

  destroy(): void {
    this.#signingKeys.privateKey.destroy();
  }

  toString(): string {
    return `MlsDevice(${this.userId}/${this.deviceId}, [redacted])`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /**
   * True when the GroupInfo's ratchet tree still holds a leaf with this device's signature key (the device lost
   * its state and rejoins): the external commit must then remove that leaf, or members would refuse the
   * duplicate key. ts-mls does not export a ratchet-tree decoder, so the encoded tree is searched for the
   * 32-byte key; random keys do not occur by chance.
   */
  #hasLeafIn(extensions: readonly GroupInfoExtension[]): boolean {
    const tree = extensions.find((e) => e.extensionType === defaultExtensionTypes.ratchet_tree);
    return tree !== undefined && containsBytes(tree.extensionData, this.#signingKeys.publicKey);
  }

  #group(state: ClientState): MlsGroup {
    return new TsMlsGroup({ suite: this.suite, cs: this.#cs, trust: this.#trust, state });
  }

  /** `joining`: the tree being joined may still hold leaves of the members' logged-out devices. */
  #context(failures: AuthenticationFailure[], joining = false): MlsContext {
    return {
      cipherSuite: this.#cs,
      authService: createAuthenticationService(this.#trust, (failure) => failures.push(failure), {
        acceptRetiredDevices: joining,
      }),
    };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
