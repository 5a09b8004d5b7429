import { defaultCredentialTypes, type AuthenticationService, type Credential } from 'ts-mls';
import { CredentialFormatError, decodeDeviceCredential, verifyDeviceCredential } from './credential.js';
import { bytesEqual } from './bytes.js';
import { findListedDevice, findRetiredDevice, type DeviceList } from './device-list.js';

/**
 * Our MLS AuthenticationService (ADR 0011). ts-mls asks it about every leaf it meets — added KeyPackages,
 * committers' new leaves, every leaf of the tree a joiner receives, GroupInfo signers — and its default says yes
 * to all, which would let a malicious server add a ghost device. Ours accepts a leaf only if:
 *
 * 1. its credential is a basic credential whose identity bytes decode as a device credential;
 * 2. that credential's signature by the user's identity key binds exactly this leaf signature key;
 * 3. the credential's identity key is the key pinned for the user (trust on first use, or verified);
 * 4. the user's current signed device list lists the device with exactly this signature key.
 *
 * Every refusal is reported as an `AuthenticationFailure` naming the user, the device and the rule, so the
 * client can show it; the library itself only learns "no".
 */
export type AuthenticationRule =
  | 'credential-not-basic'
  | 'credential-malformed'
  | 'credential-signature-invalid'
  | 'identity-unknown'
  | 'identity-key-changed'
  | 'device-list-missing'
  | 'device-not-listed'
  | 'device-key-mismatch';

export interface AuthenticationFailure {
  readonly rule: AuthenticationRule;
  /** Undefined when the credential could not be read at all. */
  readonly userId: string | undefined;
  readonly deviceId: string | undefined;
  /** One sentence for people; the rule is for code. */
  readonly message: string;
}

/** What this client trusts about one user: the pinned identity key and the verified device list. */
export interface TrustedUser {
  readonly identityKey: Uint8Array;
  /** `verified` once the user compared safety numbers; otherwise pinned on first use. */
  readonly verification: 'unverified' | 'verified';
  /** The newest device list whose signature by `identityKey` checked out; undefined when none is known. */
  readonly deviceList: DeviceList | undefined;
}

/** The lookup the authenticator needs; `TrustStore` implements it. */
export interface TrustLookup {
  trustedUser(userId: string): Promise<TrustedUser | undefined>;
  /**
   * Asks the directory for a newer device list (and notices an identity change); called once before refusing
   * a device that the list we hold does not show. Never weakens the checks: what it returns must still verify
   * under the pinned key.
   */
  refreshUser?(userId: string): Promise<TrustedUser | undefined>;
}

export type LeafVerdict =
  | {
      readonly ok: true;
      readonly userId: string;
      readonly deviceId: string;
      readonly verification: TrustedUser['verification'];
    }
  | { readonly ok: false; readonly failure: AuthenticationFailure };

export interface AuthenticationOptions {
  /**
   * Accept a leaf of a device the user's signed list names as *retired* (it was listed, then logged out or was
   * revoked), with exactly its key. Only for the tree a device joins: such a leaf stays until a member commits
   * its removal. A device never listed (a ghost) is still refused; Adds and every later handshake stay strict.
   */
  readonly acceptRetiredDevices?: boolean;
}

/** Applies the four rules above to one leaf (its credential and its signature public key). */
export async function authenticateLeaf(
  trust: TrustLookup,
  credential: Credential,
  signaturePublicKey: Uint8Array,
  options: AuthenticationOptions = {},
): Promise<LeafVerdict> {
  const refuse = (
    rule: AuthenticationRule,
    message: string,
    userId?: string,
    deviceId?: string,
  ): LeafVerdict => ({ ok: false, failure: { rule, userId, deviceId, message } });

  if (credential.credentialType !== defaultCredentialTypes.basic || !('identity' in credential))
    return refuse('credential-not-basic', 'The member does not present an ENLETS device credential.');
  let device;
  try {
    device = decodeDeviceCredential(credential.identity);
  } catch (error) {
    if (error instanceof CredentialFormatError)
      return refuse(
        'credential-malformed',
        `The member's device credential is unreadable (${error.message}).`,
      );
    throw error;
  }
  const { userId, deviceId } = device;
  if (!verifyDeviceCredential(device, signaturePublicKey))
    return refuse(
      'credential-signature-invalid',
      'The device is not vouched for by its user’s identity key.',
      userId,
      deviceId,
    );

  let trusted = await trust.trustedUser(userId);
  if (trusted === undefined)
    return refuse('identity-unknown', 'The user’s identity key is not known.', userId, deviceId);
  if (!bytesEqual(device.identityKey, trusted.identityKey)) {
    // Let the store notice and record the change for the user to decide on; the leaf is refused either way.
    await trust.refreshUser?.(userId);
    return refuse(
      'identity-key-changed',
      'The user’s identity key differs from the one pinned for them; it is not accepted without the user’s decision.',
      userId,
      deviceId,
    );
  }

  let listed = listedKey(trusted, deviceId);
  if (listed !== 'listed' && trust.refreshUser !== undefined) {
    trusted = (await trust.refreshUser(userId)) ?? trusted;
    if (bytesEqual(device.identityKey, trusted.identityKey)) listed = listedKey(trusted, deviceId);
  }
  if (listed === 'no-list')
    return refuse('device-list-missing', 'The user has no verified device list.', userId, deviceId);
  if (listed === 'not-listed' && options.acceptRetiredDevices === true && trusted.deviceList !== undefined) {
    const retired = findRetiredDevice(trusted.deviceList, deviceId);
    if (retired !== undefined && bytesEqual(retired.signatureKey, signaturePublicKey))
      return { ok: true, userId, deviceId, verification: trusted.verification };
  }
  if (listed === 'not-listed')
    return refuse(
      'device-not-listed',
      'The device is not in the user’s signed device list.',
      userId,
      deviceId,
    );
  const entry = trusted.deviceList === undefined ? undefined : findListedDevice(trusted.deviceList, deviceId);
  if (entry === undefined || !bytesEqual(entry.signatureKey, signaturePublicKey))
    return refuse(
      'device-key-mismatch',
      'The device uses a key other than the one in the user’s signed device list.',
      userId,
      deviceId,
    );
  return { ok: true, userId, deviceId, verification: trusted.verification };
}

function listedKey(trusted: TrustedUser, deviceId: string): 'no-list' | 'not-listed' | 'listed' {
  if (trusted.deviceList === undefined) return 'no-list';
  return findListedDevice(trusted.deviceList, deviceId) === undefined ? 'not-listed' : 'listed';
}

/**
 * The ts-mls AuthenticationService over `trust`. Each refusal is passed to `onFailure` before the library is
 * told "no"; `MlsGroup` uses this to return the reasons with the refused operation.
 */
export function createAuthenticationService(
  trust: TrustLookup,
  onFailure: (failure: AuthenticationFailure) => void = () => undefined,
  options: AuthenticationOptions = {},
): AuthenticationService {
  return {
    async validateCredential(credential, signaturePublicKey) {
      const verdict = await authenticateLeaf(trust, credential, signaturePublicKey, options);
      if (!verdict.ok) onFailure(verdict.failure);
      return verdict.ok;
    },
  };
}
