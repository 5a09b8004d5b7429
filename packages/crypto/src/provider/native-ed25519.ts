import { publicBytesKey } from './bytes.js';
import { LruCache } from './lru.js';
import type { NodeCrypto, NodeKeyObject } from './node-crypto.js';

/**
 * Ed25519 verification in Node (OpenSSL, synchronous) with public key objects kept: used by the MLS provider
 * (`signature.ts`) and by the device credential check (`credential.ts`). Apart from the provider so that what
 * only checks credentials (the page's verification screens) does not load the provider.
 */

/** Public keys remembered by value: every member's key arrives again and again as a fresh array. */
export const VERIFY_KEY_CACHE_SIZE = 20_000;
/** DER prefix of an SPKI Ed25519 public key (RFC 8410): the 32-byte key follows it. */
const SPKI_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);
const PUBLIC_KEY_LENGTH = 32;
/**
 * Node: synchronous Ed25519 verification with public key objects kept by value (bounded). Throws on a key that
 * is not 32 bytes.
 */
export function nativeEd25519Verifier(
  native: NodeCrypto,
): (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean {
  const verifyKeys = new LruCache<string, NodeKeyObject>(VERIFY_KEY_CACHE_SIZE);

  function verifyKey(raw: Uint8Array): NodeKeyObject {
    const id = publicBytesKey(raw);
    const known = verifyKeys.get(id);
    if (known !== undefined) return known;
    // Like WebCrypto's raw import: exactly 32 bytes, anything else is refused before it reaches OpenSSL.
    if (raw.length !== PUBLIC_KEY_LENGTH) throw new Error('an Ed25519 public key has 32 bytes');
    const der = new Uint8Array(SPKI_ED25519_PREFIX.length + PUBLIC_KEY_LENGTH);
    der.set(SPKI_ED25519_PREFIX);
    der.set(raw, SPKI_ED25519_PREFIX.length);
    const key = native.createPublicKey({ key: der, format: 'der', type: 'spki' });
    verifyKeys.set(id, key);
    return key;
  }
  return (publicKey, message, signature) => native.verify(null, message, verifyKey(publicKey), signature);
}
