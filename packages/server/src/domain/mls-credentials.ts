import { ciphersuite, verifyDeviceCredential } from '@enlets/crypto';
import { timingSafeEqual } from 'node:crypto';
import type { SessionId, UserId } from '@enlets/protocol';
import {
  ciphersuites,
  makeKeyPackageRef,
  type CiphersuiteName,
  type Credential,
  type KeyPackage,
} from 'ts-mls';
import { deviceCredentialOf } from './mls-wire.js';

/** The (user, device) an MLS leaf belongs to, once its credential checked out. */
export interface LeafOwner {
  readonly userId: UserId;
  readonly deviceId: SessionId;
}

export type LeafVerdict =
  { readonly ok: true; readonly owner: LeafOwner } | { readonly ok: false; readonly reason: string };

/**
 * Checks that a leaf's credential is an ENLETS device credential signed by its user's registered identity key
 * and bound to exactly this leaf signature key (ADR 0011, "Who is who"). `identityKeys` holds the registered
 * keys of the users concerned; a user without one cannot have a valid leaf.
 */
export function checkLeafCredential(
  credential: Credential,
  signaturePublicKey: Uint8Array,
  identityKeys: ReadonlyMap<string, Uint8Array>,
): LeafVerdict {
  const device = deviceCredentialOf(credential);
  if (typeof device === 'string') return { ok: false, reason: device };
  const registered = identityKeys.get(device.userId);
  if (registered === undefined) return { ok: false, reason: 'the user has no registered identity key' };
  if (!sameBytes(registered, device.identityKey)) {
    return { ok: false, reason: 'the credential is not signed by the user’s registered identity key' };
  }
  if (!verifyDeviceCredential(device, signaturePublicKey)) {
    return { ok: false, reason: 'the credential’s signature does not bind this leaf' };
  }
  return { ok: true, owner: { userId: device.userId as UserId, deviceId: device.deviceId as SessionId } };
}

/** The user id a leaf's credential names, without checking it (to know whose identity keys to load). */
export function claimedUserOf(credential: Credential): string | undefined {
  const device = deviceCredentialOf(credential);
  return typeof device === 'string' ? undefined : device.userId;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The numeric id of a cipher suite name (`ENLETS_MLS_CIPHERSUITE`). */
export function suiteId(name: CiphersuiteName): number {
  return ciphersuites[name];
}

/** KeyPackageRef (RFC 9420 §5.2), base64url: how a Welcome names the package it is encrypted to. */
export async function keyPackageRefOf(name: CiphersuiteName, keyPackage: KeyPackage): Promise<string> {
  const impl = await ciphersuite(name);
  return Buffer.from(await makeKeyPackageRef(keyPackage, impl.hash)).toString('base64url');
}
