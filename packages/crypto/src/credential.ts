import { ed25519 } from '@noble/curves/ed25519.js';
import { fromUtf8, lengthPrefixed, utf8 } from './bytes.js';
import { nodeCrypto } from './provider/node-crypto.js';
import { nativeEd25519Verifier } from './provider/native-ed25519.js';

/**
 * The device credential: what an MLS leaf says about who it is. It travels as the `identity` bytes of an MLS
 * *basic* credential, so any MLS implementation can carry it, and binds one leaf signature key to one
 * (user, device) pair with a signature by the user's long-term identity key (Ed25519).
 *
 * Encoding: UTF-8 JSON `{"v":1,"user":…,"device":…,"identityKey":<base64url>,"sig":<base64url>}`. JSON is only
 * the envelope; the signature covers an unambiguous, length-prefixed byte string (see `credentialSigningInput`),
 * never the JSON text, so re-encoding cannot change what was signed.
 *
 * Both sides use this module: the server checks that a KeyPackage or commit leaf belongs to the caller's own
 * device before storing it; clients check it in their AuthenticationService (together with the user's pinned
 * identity key and signed device list).
 */
export interface DeviceCredential {
  readonly userId: string;
  readonly deviceId: string;
  /** The user's Ed25519 identity public key (32 bytes). */
  readonly identityKey: Uint8Array;
  /** Ed25519 signature by the identity key over `credentialSigningInput(...)` (64 bytes). */
  readonly signature: Uint8Array;
}

export const CREDENTIAL_VERSION = 1;
const CREDENTIAL_LABEL = 'ENLETS-MLS-DEVICE-CREDENTIAL-v1';
/** Upper bound of the encoded form; anything longer is refused before parsing. */
export const MAX_CREDENTIAL_BYTES = 512;

export class CredentialFormatError extends Error {
  override readonly name = 'CredentialFormatError';
}

/** The exact bytes the identity key signs: label, user, device and the leaf's MLS signature public key. */
export function credentialSigningInput(
  userId: string,
  deviceId: string,
  leafSignaturePublicKey: Uint8Array,
): Uint8Array {
  return lengthPrefixed([utf8(CREDENTIAL_LABEL), utf8(userId), utf8(deviceId), leafSignaturePublicKey]);
}

/** Signs a new device credential with the user's identity private key (32-byte Ed25519 seed). */
export function signDeviceCredential(params: {
  userId: string;
  deviceId: string;
  identityPrivateKey: Uint8Array;
  leafSignaturePublicKey: Uint8Array;
}): DeviceCredential {
  const identityKey = ed25519.getPublicKey(params.identityPrivateKey);
  const signature = ed25519.sign(
    credentialSigningInput(params.userId, params.deviceId, params.leafSignaturePublicKey),
    params.identityPrivateKey,
  );
  return { userId: params.userId, deviceId: params.deviceId, identityKey, signature };
}

/**
 * Verifies an identity key's signature: in Node with OpenSSL and the key object kept (~80 µs on the team's
 * machine), elsewhere with @noble (~1.4 ms). A joiner checks every member's credential, so a Welcome into a group
 * of 1,000 spent ~1.4 s here on @noble alone.
 */
const native = nodeCrypto();
const verifyEd25519: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean =
  native === undefined
    ? (publicKey, message, signature) => ed25519.verify(signature, message, publicKey)
    : nativeEd25519Verifier(native);

/** True when the credential's signature binds it to this leaf signature key. Never throws. */
export function verifyDeviceCredential(
  credential: DeviceCredential,
  leafSignaturePublicKey: Uint8Array,
): boolean {
  try {
    return verifyEd25519(
      credential.identityKey,
      credentialSigningInput(credential.userId, credential.deviceId, leafSignaturePublicKey),
      credential.signature,
    );
  } catch {
    return false;
  }
}

export function encodeDeviceCredential(credential: DeviceCredential): Uint8Array {
  return utf8(
    JSON.stringify({
      v: CREDENTIAL_VERSION,
      user: credential.userId,
      device: credential.deviceId,
      identityKey: toBase64Url(credential.identityKey),
      sig: toBase64Url(credential.signature),
    }),
  );
}

/** Parses the identity bytes of a basic credential; throws CredentialFormatError on anything else. */
export function decodeDeviceCredential(bytes: Uint8Array): DeviceCredential {
  if (bytes.length > MAX_CREDENTIAL_BYTES) throw new CredentialFormatError('credential too long');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes));
  } catch {
    throw new CredentialFormatError('credential is not UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new CredentialFormatError('credential is not an object');
  const record = parsed as Record<string, unknown>;
  const { v, user, device, identityKey, sig } = record;
  if (Object.keys(record).length !== 5) throw new CredentialFormatError('unexpected credential fields');
  if (v !== CREDENTIAL_VERSION) throw new CredentialFormatError('unsupported credential version');
  if (typeof user !== 'string' || !ID.test(user)) throw new CredentialFormatError('bad user id');
  if (typeof device !== 'string' || !ID.test(device)) throw new CredentialFormatError('bad device id');
  if (typeof identityKey !== 'string' || typeof sig !== 'string') throw new CredentialFormatError('bad keys');
  const key = fromBase64Url(identityKey);
  const signature = fromBase64Url(sig);
  if (key.length !== 32 || signature.length !== 64)
    throw new CredentialFormatError('bad key or signature length');
  return { userId: user, deviceId: device, identityKey: key, signature };
}

/** Users and devices are server-issued UUIDs (protocol/src/ids.ts). */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const B64URL = /^[A-Za-z0-9_-]*$/;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!B64URL.test(text)) throw new CredentialFormatError('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    throw new CredentialFormatError('not base64url');
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
