import { ed25519 } from '@noble/curves/ed25519.js';
import type { Signature } from 'ts-mls';
import { constantTimeEqual, ownBytes, publicBytesKey } from './bytes.js';
import { LruCache } from './lru.js';
import { nativeEd25519Verifier, VERIFY_KEY_CACHE_SIZE } from './native-ed25519.js';
import { nodeCrypto, plainBytes, type NodeCrypto, type NodeKeyObject } from './node-crypto.js';

/**
 * Ed25519 for MLS with imported keys kept. The library's default imports the key into WebCrypto on every
 * signature and verification; the import costs ~5× the signature itself, so a client signing a stream of
 * application messages spent most of its time re-importing the same key.
 *
 * - Signing keys are remembered per key array (WeakMap, so they die with the state that holds them) together
 *   with a copy of the bytes: if the array is overwritten (e.g. wiped), the stale CryptoKey is not used.
 * - Verification keys are public; they are remembered by value in a bounded LRU, because every member's key
 *   arrives again and again as a fresh array (decoded from the tree or a message).
 * - In Node, signing and verifying are Node's synchronous OpenSSL calls on key objects kept the same way
 *   (`node-crypto.ts` says why): no hand-over to WebCrypto's worker thread per message.
 * - Where WebCrypto has no Ed25519 (older browsers) @noble/curves does the work; signatures are deterministic,
 *   so all paths give identical bytes.
 */
/** DER prefix of a PKCS#8 Ed25519 private key (RFC 8410): the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const SEED_LENGTH = 32;

/** `native`: Node's crypto (the default where it exists); tests pass undefined to check the browser's path. */
export async function ed25519Signature(native: NodeCrypto | undefined = nodeCrypto()): Promise<Signature> {
  const subtle = await webCryptoEd25519();
  if (subtle === undefined) return nobleEd25519();
  const webCrypto = cachedWebCryptoEd25519(subtle);
  return native === undefined ? webCrypto : nativeEd25519(native, webCrypto);
}

/** Node: sign and verify synchronously with key objects kept like the WebCrypto keys below. */
function nativeEd25519(native: NodeCrypto, webCrypto: Signature): Signature {
  const signKeys = new WeakMap<Uint8Array, { bytes: Uint8Array; key: NodeKeyObject }>();
  const verifyNative = nativeEd25519Verifier(native);

  function signKey(raw: Uint8Array): NodeKeyObject {
    const known = signKeys.get(raw);
    if (known !== undefined && constantTimeEqual(known.bytes, raw)) return known.key;
    const key = native.createPrivateKey({ key: toPkcs8(raw), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 signing key');
    signKeys.set(raw, { bytes: raw.slice(), key });
    return key;
  }

  return {
    // Settled promises: ts-mls awaits them, nothing runs on another thread. A throw becomes a rejection, as
    // WebCrypto's would.
    sign: (raw, message) => settle(() => plainBytes(native.sign(null, message, signKey(raw)))),
    verify: (publicKey, message, signature) => settle(() => verifyNative(publicKey, message, signature)),
    keygen: () => webCrypto.keygen(),
  };
}

function settle<T>(compute: () => T): Promise<T> {
  try {
    return Promise.resolve(compute());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function cachedWebCryptoEd25519(subtle: SubtleCrypto): Signature {
  const signKeys = new WeakMap<Uint8Array, { bytes: Uint8Array; key: Promise<CryptoKey> }>();
  const verifyKeys = new LruCache<string, Promise<CryptoKey>>(VERIFY_KEY_CACHE_SIZE);

  function signKey(raw: Uint8Array): Promise<CryptoKey> {
    const known = signKeys.get(raw);
    if (known !== undefined && constantTimeEqual(known.bytes, raw)) return known.key;
    const key = subtle.importKey('pkcs8', toPkcs8(raw), 'Ed25519', false, ['sign']);
    signKeys.set(raw, { bytes: raw.slice(), key });
    // A key that failed to import must not stay cached as a rejected promise.
    key.catch(() => signKeys.delete(raw));
    return key;
  }

  function verifyKey(raw: Uint8Array): Promise<CryptoKey> {
    const id = publicBytesKey(raw);
    const known = verifyKeys.get(id);
    if (known !== undefined) return known;
    const key = subtle.importKey('raw', ownBytes(raw), 'Ed25519', false, ['verify']);
    verifyKeys.set(id, key);
    key.catch(() => verifyKeys.delete(id));
    return key;
  }

  return {
    async sign(raw, message) {
      return new Uint8Array(await subtle.sign('Ed25519', await signKey(raw), ownBytes(message)));
    },
    async verify(publicKey, message, signature) {
      return subtle.verify('Ed25519', await verifyKey(publicKey), ownBytes(signature), ownBytes(message));
    },
    async keygen() {
      // Native key generation, and the new key goes straight into the cache: the first signature (the
      // KeyPackage's own) needs no import. It is extractable, but its seed is in memory as bytes anyway.
      const pair = await subtle.generateKey('Ed25519', true, ['sign', 'verify']);
      const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
      const prefix = pkcs8.subarray(0, PKCS8_ED25519_PREFIX.length);
      // Some engines append the public key (PKCS#8 v2); anything unexpected falls back to @noble.
      if (!constantTimeEqual(prefix, PKCS8_ED25519_PREFIX)) return nobleKeygen();
      const signKey = pkcs8.slice(PKCS8_ED25519_PREFIX.length, PKCS8_ED25519_PREFIX.length + SEED_LENGTH);
      const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
      signKeys.set(signKey, { bytes: signKey.slice(), key: Promise.resolve(pair.privateKey) });
      return { signKey, publicKey };
    },
  };
}

function nobleEd25519(): Signature {
  return {
    sign: (raw, message) => Promise.resolve(ed25519.sign(message, seedOf(raw))),
    verify: (publicKey, message, signature) => Promise.resolve(ed25519.verify(signature, message, publicKey)),
    keygen: () => Promise.resolve(nobleKeygen()),
  };
}

/** Keys are raw 32-byte seeds (the RFC 8032 private key), the form the IETF vectors and other MLS stacks use. */
function nobleKeygen(): { publicKey: Uint8Array; signKey: Uint8Array } {
  const signKey = ed25519.utils.randomSecretKey();
  return { signKey, publicKey: ed25519.getPublicKey(signKey) };
}

/** ts-mls accepts both raw seeds and PKCS#8 (what its default keygen produced): normalise to PKCS#8. */
function toPkcs8(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  if (raw.length !== SEED_LENGTH) return ownBytes(raw);
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + SEED_LENGTH);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(raw, PKCS8_ED25519_PREFIX.length);
  return der;
}

function seedOf(raw: Uint8Array): Uint8Array {
  if (raw.length === SEED_LENGTH) return raw;
  const prefix = raw.subarray(0, PKCS8_ED25519_PREFIX.length);
  if (
    raw.length !== PKCS8_ED25519_PREFIX.length + SEED_LENGTH ||
    !constantTimeEqual(prefix, PKCS8_ED25519_PREFIX)
  ) {
    throw new Error('Ed25519 signing key is neither a 32-byte seed nor PKCS#8');
  }
  return raw.subarray(PKCS8_ED25519_PREFIX.length);
}

/** The WebCrypto of this runtime when it can do Ed25519 (Node 20, Chromium 137+, Firefox 129+, Safari 17+). */
async function webCryptoEd25519(): Promise<SubtleCrypto | undefined> {
  const subtle = globalThis.crypto.subtle as SubtleCrypto | undefined;
  if (subtle === undefined) return undefined;
  try {
    await subtle.importKey('pkcs8', toPkcs8(new Uint8Array(SEED_LENGTH)), 'Ed25519', false, ['sign']);
    return subtle;
  } catch {
    return undefined;
  }
}
