import { ed25519 } from '@noble/curves/ed25519.js';
import { signDeviceCredential, type DeviceCredential } from './credential.js';
import { SecretBytes } from './secret.js';

/**
 * A user's long-term identity key (Ed25519, ADR 0011): it vouches for each of the user's devices (device
 * credentials, signed device list) and is what contacts pin and compare as safety numbers. Every device of the
 * user holds the private key; it never leaves the client except inside the encrypted recovery backup.
 */
export class IdentityKeyPair {
  readonly publicKey: Uint8Array;
  readonly #privateKey: SecretBytes;

  private constructor(privateKey: SecretBytes) {
    this.#privateKey = privateKey;
    this.publicKey = ed25519.getPublicKey(privateKey.exposeBytes());
  }

  static generate(): IdentityKeyPair {
    return new IdentityKeyPair(new SecretBytes(ed25519.utils.randomSecretKey()));
  }

  /** From a stored 32-byte Ed25519 seed (e.g. the recovery backup). Takes ownership of the secret. */
  static fromPrivateKey(privateKey: SecretBytes): IdentityKeyPair {
    if (privateKey.length !== IDENTITY_PRIVATE_KEY_BYTES)
      throw new RangeError(`identity private key must be ${String(IDENTITY_PRIVATE_KEY_BYTES)} bytes`);
    return new IdentityKeyPair(privateKey);
  }

  /** The 32-byte seed, for the recovery backup and device storage; still opaque. */
  exportPrivateKey(): SecretBytes {
    return SecretBytes.copyOf(this.#privateKey.exposeBytes());
  }

  /** Ed25519 signature over `message`. Callers sign domain-separated, length-prefixed inputs only. */
  sign(message: Uint8Array): Uint8Array {
    return ed25519.sign(message, this.#privateKey.exposeBytes());
  }

  /** The credential that binds one device's MLS leaf signature key to (user, device) under this identity. */
  signDeviceCredential(
    userId: string,
    deviceId: string,
    leafSignaturePublicKey: Uint8Array,
  ): DeviceCredential {
    return signDeviceCredential({
      userId,
      deviceId,
      identityPrivateKey: this.#privateKey.exposeBytes(),
      leafSignaturePublicKey,
    });
  }

  /** Zeroes the private key; the pair is unusable afterwards. */
  destroy(): void {
    this.#privateKey.destroy();
  }

  toString(): string {
    return `IdentityKeyPair([redacted])`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export const IDENTITY_PUBLIC_KEY_BYTES = 32;
export const IDENTITY_PRIVATE_KEY_BYTES = 32;

/** True when `signature` is the identity key's Ed25519 signature over `message`. Never throws. */
export function verifyIdentitySignature(
  identityPublicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return ed25519.verify(signature, message, identityPublicKey);
  } catch {
    return false;
  }
}
