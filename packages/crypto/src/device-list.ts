import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64Url, toBase64Url } from './credential.js';
import { bytesEqual, fromUtf8, lengthPrefixed, uint64, utf8 } from './bytes.js';

/**
 * The signed device list (ADR 0011): which devices a user vouches for, each with the MLS leaf signature key it
 * uses, signed by the user's identity key. The server stores these blobs and serves them to everyone who may see
 * the user; it checks signature and version with this module but cannot produce a list itself, so it cannot add
 * a device. Clients accept a leaf only if its device is on the current list with exactly that signature key.
 *
 * A device that leaves the list (logged out, revoked) moves to `retired`, still signed: its leaf may linger in
 * groups until a member removes it, and a device joining such a group can tell it from a ghost (never listed).
 *
 * Encoding: UTF-8 JSON `{"v":1,"user","version","devices":[{"device","signatureKey"}],"retired"?:[…],"sig"}`
 * with base64url keys. As with the device credential, JSON is only the envelope: the signature covers `deviceListSigningInput`,
 * a length-prefixed byte string, never the JSON text.
 */
export interface DeviceListEntry {
  readonly deviceId: string;
  /** The device's MLS leaf signature public key (Ed25519, 32 bytes). */
  readonly signatureKey: Uint8Array;
}

export interface DeviceList {
  readonly userId: string;
  /** Strictly increasing with every change (1 for the first list). */
  readonly version: number;
  readonly devices: readonly DeviceListEntry[];
  /** Devices that were listed and left (newest last, at most MAX_DEVICES); absent or empty when none. */
  readonly retired?: readonly DeviceListEntry[];
}

export interface SignedDeviceList extends DeviceList {
  /** Ed25519 signature by the user's identity key over `deviceListSigningInput(list)` (64 bytes). */
  readonly signature: Uint8Array;
}

export const DEVICE_LIST_VERSION = 1;
const DEVICE_LIST_LABEL = 'ENLETS-DEVICE-LIST-v1';
/** Upper bound of the encoded form; anything longer is refused before parsing. */
export const MAX_DEVICE_LIST_BYTES = 16 * 1024;
/** More devices than any person carries; bounds the work of verifying and the size of the blob. */
export const MAX_DEVICES = 100;
/** Both suites ENLETS offers (ADR 0011) sign with Ed25519. */
const SIGNATURE_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** Users and devices are server-issued UUIDs (protocol/src/ids.ts), as in the device credential. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class DeviceListFormatError extends Error {
  override readonly name = 'DeviceListFormatError';
}

/** The exact bytes the identity key signs: label, user, version, device count, then each device and its key. */
export function deviceListSigningInput(list: DeviceList): Uint8Array {
  const parts = [
    utf8(DEVICE_LIST_LABEL),
    utf8(list.userId),
    uint64(list.version),
    uint64(list.devices.length),
  ];
  for (const device of list.devices) parts.push(utf8(device.deviceId), device.signatureKey);
  // Lists without retired devices sign exactly as before the field existed. The marker cannot be mistaken for a
  // device id (always a UUID).
  const retired = list.retired ?? [];
  if (retired.length > 0) {
    parts.push(utf8('retired'), uint64(retired.length));
    for (const device of retired) parts.push(utf8(device.deviceId), device.signatureKey);
  }
  return lengthPrefixed(parts);
}

/** Signs a list with the user's identity key (anything with an Ed25519 `sign`, e.g. `IdentityKeyPair`). */
export function signDeviceList(
  list: DeviceList,
  identity: { sign(message: Uint8Array): Uint8Array },
): SignedDeviceList {
  checkListShape(list);
  return {
    ...list,
    devices: [...list.devices],
    ...(list.retired === undefined ? {} : { retired: [...list.retired] }),
    signature: identity.sign(deviceListSigningInput(list)),
  };
}

/** True when the signature is the identity key's over this very list. Never throws. */
export function verifyDeviceList(list: SignedDeviceList, identityKey: Uint8Array): boolean {
  // Verified here rather than through identity.ts so that the server, which runs this check, never loads the
  // module that handles identity private keys.
  try {
    return ed25519.verify(list.signature, deviceListSigningInput(list), identityKey);
  } catch {
    return false;
  }
}

export type DeviceListChange =
  | { readonly add: DeviceListEntry }
  | { readonly remove: string }
  | { readonly replace: readonly DeviceListEntry[] };

/**
 * The list after one change, with the next version (to be signed with `signDeviceList`). `previous` undefined
 * starts a user's first list at version 1. Adding a listed device replaces its key.
 */
export function nextDeviceList(
  previous: DeviceList | undefined,
  userId: string,
  change: DeviceListChange,
): DeviceList {
  if (previous !== undefined && previous.userId !== userId)
    throw new RangeError('the previous device list belongs to another user');
  const current = previous?.devices ?? [];
  let devices: DeviceListEntry[];
  if ('add' in change) {
    devices = [...current.filter((d) => d.deviceId !== change.add.deviceId), change.add];
  } else if ('remove' in change) {
    devices = current.filter((d) => d.deviceId !== change.remove);
  } else {
    devices = [...change.replace];
  }
  // Whatever leaves the list is kept as retired (newest last, bounded); a device listed again is not retired.
  const left = current.filter((d) => !devices.some((n) => n.deviceId === d.deviceId));
  const listedIds = new Set(devices.map((d) => d.deviceId));
  const retired = [...(previous?.retired ?? []), ...left]
    .filter((d) => !listedIds.has(d.deviceId))
    .slice(-MAX_DEVICES);
  const next: DeviceList = {
    userId,
    version: (previous?.version ?? 0) + 1,
    devices,
    ...(retired.length === 0 ? {} : { retired }),
  };
  checkListShape(next);
  return next;
}

export type DeviceListRefusal = 'bad-signature' | 'wrong-user' | 'version-not-increasing';

export type DeviceListVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: DeviceListRefusal };

/**
 * Whether `next` may replace `previous` (undefined: nothing stored yet): signed by `identityKey`, for the same
 * user, with a strictly greater version. A replayed or rolled-back list is refused, and so is an edited one.
 * The server runs this before storing an upload; clients before adopting a list they fetched.
 */
export function checkDeviceListUpdate(params: {
  readonly previous: DeviceList | undefined;
  readonly next: SignedDeviceList;
  readonly identityKey: Uint8Array;
  /** The user the list must be for (the uploader, or the user whose list was requested). */
  readonly userId: string;
}): DeviceListVerdict {
  const { previous, next, identityKey, userId } = params;
  if (next.userId !== userId || (previous !== undefined && previous.userId !== userId))
    return { ok: false, reason: 'wrong-user' };
  if (!verifyDeviceList(next, identityKey)) return { ok: false, reason: 'bad-signature' };
  if (previous !== undefined && next.version <= previous.version)
    return { ok: false, reason: 'version-not-increasing' };
  return { ok: true };
}

/** The listed entry of `deviceId`, if any. */
export function findListedDevice(list: DeviceList, deviceId: string): DeviceListEntry | undefined {
  return list.devices.find((d) => d.deviceId === deviceId);
}

/** The retired entry of `deviceId`, if the list says it left. */
export function findRetiredDevice(list: DeviceList, deviceId: string): DeviceListEntry | undefined {
  return list.retired?.find((d) => d.deviceId === deviceId);
}

/** True when `deviceId` is listed with exactly `signatureKey`. */
export function listsDeviceKey(list: DeviceList, deviceId: string, signatureKey: Uint8Array): boolean {
  const entry = findListedDevice(list, deviceId);
  return entry !== undefined && bytesEqual(entry.signatureKey, signatureKey);
}

export function encodeDeviceList(list: SignedDeviceList): Uint8Array {
  return utf8(
    JSON.stringify({
      v: DEVICE_LIST_VERSION,
      user: list.userId,
      version: list.version,
      devices: list.devices.map(encodeEntry),
      ...(list.retired === undefined || list.retired.length === 0
        ? {}
        : { retired: list.retired.map(encodeEntry) }),
      sig: toBase64Url(list.signature),
    }),
  );
}

/**
 * Parses an encoded list; throws DeviceListFormatError on anything that is not exactly the format (unknown
 * fields, duplicates, bad ids or key lengths, more than MAX_DEVICES). Does not check the signature.
 */
export function decodeDeviceList(bytes: Uint8Array): SignedDeviceList {
  if (bytes.length > MAX_DEVICE_LIST_BYTES) throw new DeviceListFormatError('device list too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes));
  } catch {
    throw new DeviceListFormatError('device list is not UTF-8 JSON');
  }
  const hasRetired = typeof parsed === 'object' && parsed !== null && Object.hasOwn(parsed, 'retired');
  const record = asExactRecord(
    parsed,
    hasRetired
      ? ['v', 'user', 'version', 'devices', 'retired', 'sig']
      : ['v', 'user', 'version', 'devices', 'sig'],
  );
  if (record['v'] !== DEVICE_LIST_VERSION) throw new DeviceListFormatError('unsupported device list version');
  const { user, version, devices, retired, sig } = record;
  if (typeof user !== 'string') throw new DeviceListFormatError('bad user id');
  if (typeof version !== 'number') throw new DeviceListFormatError('bad version');
  if (!Array.isArray(devices)) throw new DeviceListFormatError('devices is not an array');
  if (typeof sig !== 'string') throw new DeviceListFormatError('bad signature');
  if (hasRetired && (!Array.isArray(retired) || retired.length === 0))
    throw new DeviceListFormatError('retired is not a non-empty array');
  const retiredEntries = Array.isArray(retired) ? retired.map(decodeEntry) : [];
  const list: SignedDeviceList = {
    userId: user,
    version,
    devices: devices.map(decodeEntry),
    ...(retiredEntries.length === 0 ? {} : { retired: retiredEntries }),
    signature: base64Field(sig),
  };
  checkListShape(list);
  if (list.signature.length !== SIGNATURE_BYTES) throw new DeviceListFormatError('bad signature length');
  return list;
}

function encodeEntry(d: DeviceListEntry): { device: string; signatureKey: string } {
  return { device: d.deviceId, signatureKey: toBase64Url(d.signatureKey) };
}

function decodeEntry(item: unknown): DeviceListEntry {
  const { device, signatureKey } = asExactRecord(item, ['device', 'signatureKey']);
  if (typeof device !== 'string' || typeof signatureKey !== 'string')
    throw new DeviceListFormatError('bad device entry');
  return { deviceId: device, signatureKey: base64Field(signatureKey) };
}

function checkListShape(list: DeviceList): void {
  if (!ID.test(list.userId)) throw new DeviceListFormatError('bad user id');
  if (!Number.isSafeInteger(list.version) || list.version < 1) throw new DeviceListFormatError('bad version');
  const retired = list.retired ?? [];
  if (list.devices.length > MAX_DEVICES || retired.length > MAX_DEVICES)
    throw new DeviceListFormatError('too many devices');
  // A device id or key appears once across listed and retired devices.
  const ids = new Set<string>();
  const keys = new Set<string>();
  for (const device of [...list.devices, ...retired]) {
    if (!ID.test(device.deviceId)) throw new DeviceListFormatError('bad device id');
    if (device.signatureKey.length !== SIGNATURE_KEY_BYTES)
      throw new DeviceListFormatError('bad signature key length');
    const key = toBase64Url(device.signatureKey);
    if (ids.has(device.deviceId) || keys.has(key)) throw new DeviceListFormatError('duplicate device');
    ids.add(device.deviceId);
    keys.add(key);
  }
}

function asExactRecord(value: unknown, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DeviceListFormatError('expected an object');
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== fields.length || !fields.every((f) => Object.hasOwn(record, f)))
    throw new DeviceListFormatError('unexpected fields');
  return record;
}

function base64Field(text: string): Uint8Array {
  try {
    return fromBase64Url(text);
  } catch {
    throw new DeviceListFormatError('not base64url');
  }
}
