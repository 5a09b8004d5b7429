import {
  decodeDeviceList,
  fromBase64Url,
  IdentityKeyPair,
  safetyNumber,
  SecretBytes,
  TrustStore,
  verifyDeviceList,
  type DeviceListEntry,
} from '@enlets/crypto';
import type { UserDevicesResponse } from '@enlets/protocol';
import type { EnletsHttpClient } from '../api/http.js';
import type { E2eeStore } from './e2ee-store.js';
import { HttpTrustDirectory } from './trust-directory.js';

/**
 * Verification as an app shows it (ADR 0011, issue 4 item 7): the safety number of this user and a contact,
 * computed from the identity keys this device pinned; whether the user compared it; an identity change the
 * directory announced and the user has not accepted; and the devices each side's signed list names. Built on the
 * device's `E2eeStore`, the same trust records the MLS authentication service reads, so what the user marks
 * here is what the message checks use.
 */
export interface VerificationContext {
  readonly store: E2eeStore;
  readonly http: EnletsHttpClient;
  /** This device's user. */
  readonly userId: string;
}

export interface ShownSafetyNumber {
  /** 60 digits, the same on both sides. */
  readonly digits: string;
  /** The digits in twelve groups of five. */
  readonly groups: readonly string[];
  /** What the QR code holds (`enlets-sn1:` and the fingerprints, base64url). */
  readonly qrText: string;
}

/** A device of a signed device list, with a short fingerprint of its MLS signature key for people to compare. */
export interface ListedDevice {
  readonly deviceId: string;
  readonly fingerprint: string;
}

/**
 * `unknown`: the contact has no identity key yet (never opened an encrypted device). `changed`: the directory
 * now announces another key than the pinned one; messages from devices under it are refused until the user
 * accepts the change (`changedSafetyNumber` is the number for the new key).
 */
export type ContactVerification =
  | { readonly userId: string; readonly state: 'unknown' }
  | {
      readonly userId: string;
      readonly state: 'unverified' | 'verified' | 'changed';
      readonly safetyNumber: ShownSafetyNumber;
      readonly changedSafetyNumber?: ShownSafetyNumber;
      /** The devices of the contact's newest signed device list this device verified. */
      readonly devices: readonly ListedDevice[];
    };

/** This user's own devices as their signed list names them, checked against their own identity key. */
export interface OwnDeviceList {
  readonly version: number;
  readonly devices: readonly ListedDevice[];
  /** Devices that were listed and left (signed out, revoked). */
  readonly retired: readonly ListedDevice[];
  /** The user's sessions the server reports as signed in (a device is a session, ADR 0011). */
  readonly liveDeviceIds: readonly string[];
}

export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

/**
 * What is known about `contactId`, refreshed from the directory first when it answers (which is how an identity
 * change becomes visible); from the stored record alone when offline.
 */
export async function contactVerification(
  context: VerificationContext,
  contactId: string,
): Promise<ContactVerification> {
  if (contactId === context.userId) throw new VerificationError('a safety number is between two people');
  const trust = trustStore(context);
  try {
    await trust.refreshUser(contactId);
  } catch {
    // Offline or refused: what this device pinned earlier still answers.
  }
  const record = await trust.record(contactId);
  if (record === undefined) return { userId: contactId, state: 'unknown' };
  const own = await ownIdentityKey(context);
  const number = (identityKey: Uint8Array): ShownSafetyNumber => {
    const { digits, groups, qrText } = safetyNumber(
      { userId: context.userId, identityKey: own },
      { userId: contactId, identityKey },
    );
    return { digits, groups, qrText };
  };
  const changed = record.changedIdentityKey;
  return {
    userId: contactId,
    state: changed !== undefined ? 'changed' : record.verification,
    safetyNumber: number(record.identityKey),
    ...(changed === undefined ? {} : { changedSafetyNumber: number(changed) }),
    devices: (record.deviceList?.devices ?? []).map(listedDevice),
  };
}

/**
 * Records that the user compared `digits` with the contact. Refused when those are not the current safety
 * number (the key changed meanwhile, or a change waits for a decision): marking must name what was compared.
 */
export async function markContactVerified(
  context: VerificationContext,
  contactId: string,
  digits: string,
): Promise<ContactVerification> {
  const shown = await contactVerification(context, contactId);
  if (shown.state === 'unknown' || shown.state === 'changed' || shown.safetyNumber.digits !== digits)
    throw new VerificationError('this is not the current safety number of the contact');
  const record = await trustStore(context).record(contactId);
  if (record === undefined || !(await trustStore(context).markVerified(contactId, record.identityKey)))
    throw new VerificationError('the contact’s identity key changed meanwhile');
  return contactVerification(context, contactId);
}

/**
 * The user's decision to trust the contact's new identity key (whose safety number was `digits`): it is pinned,
 * unverified, and the device list signed by it is fetched.
 */
export async function acceptContactIdentityChange(
  context: VerificationContext,
  contactId: string,
  digits: string,
): Promise<ContactVerification> {
  const shown = await contactVerification(context, contactId);
  const record = await trustStore(context).record(contactId);
  if (
    shown.state !== 'changed' ||
    shown.changedSafetyNumber?.digits !== digits ||
    record?.changedIdentityKey === undefined
  )
    throw new VerificationError('no such identity change is waiting');
  await trustStore(context).acceptIdentityChange(contactId, record.changedIdentityKey);
  return contactVerification(context, contactId);
}

/** The user's own signed device list, verified under the identity key this device holds. */
export async function ownDeviceList(context: VerificationContext): Promise<OwnDeviceList> {
  const response = await context.http.get<UserDevicesResponse>(
    `/e2ee/users/${encodeURIComponent(context.userId)}/devices`,
  );
  if (response.deviceList === null)
    return { version: 0, devices: [], retired: [], liveDeviceIds: response.liveDeviceIds };
  const list = decodeDeviceList(fromBase64Url(response.deviceList));
  if (list.userId !== context.userId || !verifyDeviceList(list, await ownIdentityKey(context)))
    throw new VerificationError('the device list on the server is not signed by your identity key');
  return {
    version: list.version,
    devices: list.devices.map(listedDevice),
    retired: (list.retired ?? []).map(listedDevice),
    liveDeviceIds: response.liveDeviceIds,
  };
}

function trustStore(context: VerificationContext): TrustStore {
  return new TrustStore(context.store, new HttpTrustDirectory(context.http));
}

async function ownIdentityKey(context: VerificationContext): Promise<Uint8Array> {
  const seed = await context.store.getSecret('identity');
  if (seed === undefined) throw new VerificationError('this device has no identity key');
  const identity = IdentityKeyPair.fromPrivateKey(new SecretBytes(seed));
  try {
    return Uint8Array.from(identity.publicKey);
  } finally {
    identity.destroy();
  }
}

/** Eight groups of four hex digits of the first 16 bytes of the key: enough to tell two devices apart. */
function listedDevice(entry: DeviceListEntry): ListedDevice {
  const hex = [...entry.signatureKey.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { deviceId: entry.deviceId, fingerprint: (hex.match(/.{4}/g) ?? []).join(' ') };
}
