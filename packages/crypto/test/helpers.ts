import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import {
  createMlsDevice,
  encodeDeviceList,
  IdentityKeyPair,
  MemoryTrustStorage,
  nextDeviceList,
  signDeviceList,
  TrustStore,
  type LocalKeyPackage,
  type MlsDevice,
  type MlsGroup,
  type MlsSuiteName,
  type SignedDeviceList,
  type TrustDirectory,
} from '@enlets/crypto';

export const SUITE: MlsSuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

/**
 * The server's directory of identity keys and signed device lists, as clients fetch it. Tests play the
 * malicious server by editing `entries` directly.
 */
export class TestDirectory implements TrustDirectory {
  readonly entries = new Map<string, { identityKey: Uint8Array; deviceList: Uint8Array | undefined }>();

  fetchUser(
    userId: string,
  ): Promise<{ identityKey: Uint8Array; deviceList: Uint8Array | undefined } | undefined> {
    return Promise.resolve(this.entries.get(userId));
  }
}

export interface TestUser {
  readonly userId: string;
  readonly identity: IdentityKeyPair;
  deviceList: SignedDeviceList | undefined;
}

export interface TestDevice {
  readonly user: TestUser;
  readonly device: MlsDevice;
  readonly trust: TrustStore;
  keyPackages: LocalKeyPackage[];
}

export function createUser(directory: TestDirectory): TestUser {
  const user: TestUser = {
    userId: randomUUID(),
    identity: IdentityKeyPair.generate(),
    deviceList: undefined,
  };
  directory.entries.set(user.userId, { identityKey: user.identity.publicKey, deviceList: undefined });
  return user;
}

/** A new device of `user`: MLS keys, listed in the user's signed device list, with two KeyPackages uploaded. */
export async function addDevice(
  directory: TestDirectory,
  user: TestUser,
  options: { listed?: boolean } = {},
): Promise<TestDevice> {
  const trust = new TrustStore(new MemoryTrustStorage(), directory);
  const device = await createMlsDevice({
    userId: user.userId,
    deviceId: randomUUID(),
    suite: SUITE,
    identity: user.identity,
    trust,
  });
  if (options.listed ?? true) publishDeviceList(directory, user, { add: device.deviceListEntry() });
  return { user, device, trust, keyPackages: await device.generateKeyPackages(2) };
}

export function publishDeviceList(
  directory: TestDirectory,
  user: TestUser,
  change: Parameters<typeof nextDeviceList>[2],
): void {
  user.deviceList = signDeviceList(nextDeviceList(user.deviceList, user.userId, change), user.identity);
  directory.entries.set(user.userId, {
    identityKey: user.identity.publicKey,
    deviceList: encodeDeviceList(user.deviceList),
  });
}

/** What the DS hands out on a claim: one of the device's KeyPackages as MLSMessage bytes. */
export function claim(device: TestDevice): Uint8Array {
  const keyPackage = device.keyPackages[0];
  if (keyPackage === undefined) throw new Error('no key package left');
  return keyPackage.message;
}

/** `owner` adds `joiners` (commit accepted by the DS at once); each joiner joins from the Welcome. */
export async function addAndJoin(
  owner: MlsGroup,
  joiners: readonly TestDevice[],
  others: readonly MlsGroup[] = [],
): Promise<MlsGroup[]> {
  const bundle = await owner.addMembers(joiners.map(claim));
  for (const other of others) {
    const result = await other.process(bundle.commit);
    if (result.kind !== 'commit') throw new Error(`member refused the add: ${inspect(result)}`);
  }
  owner.confirmCommit();
  const groups: MlsGroup[] = [];
  for (const joiner of joiners) {
    const { group } = await joiner.device.joinFromWelcome(bundle.welcome!, joiner.keyPackages);
    groups.push(group);
  }
  return groups;
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const read = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
