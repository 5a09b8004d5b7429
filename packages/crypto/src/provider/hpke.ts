import { gcm } from '@noble/ciphers/aes.js';
import { CryptoError, type Hpke, type PrivateKey, type PublicKey } from 'ts-mls';
import { constantTimeEqual, publicBytesKey } from './bytes.js';
import { LruCache } from './lru.js';

/**
 * The library's HPKE (@hpke/core) with imported keys kept and, for AES suites, AES-GCM inline. Results stay
 * byte for byte the library's: sealing, opening and key derivation are still its own code.
 *
 * - Imported public keys are remembered by value (bounded LRU): commits encrypt path secrets to the same tree
 *   nodes' keys again and again, and every import is a WebCrypto or big-integer operation.
 * - Imported private keys are remembered per key array (WeakMap, gone with the state that holds the array) with a
 *   copy of the bytes, so an overwritten array is never served a stale key. Decrypting a commit's path secret
 *   imports the key of one of our own path nodes, which stays the same across many commits.
 * - AES-GCM of MLS messages runs inline (@noble/ciphers). Every message has a fresh key from the secret tree, so
 *   WebCrypto had to import a key per message and hop to a worker thread twice; inline it is ~3× faster for
 *   messages. Large payloads (a Welcome's GroupInfo) still go to WebCrypto.
 */
const PUBLIC_KEY_CACHE_SIZE = 20_000;
/**
 * Above this size WebCrypto's native AES wins despite the key import and thread hop: a Welcome's GroupInfo
 * carries the ratchet tree (~1 MB at 1,000 members), ~50 ms in JavaScript against ~2 ms native.
 */
const INLINE_AES_GCM_MAX_BYTES = 16 * 1024;

export function withCachedKeys(base: Hpke, inlineAesGcm: boolean): Hpke {
  const publicKeys = new LruCache<string, Promise<PublicKey>>(PUBLIC_KEY_CACHE_SIZE);
  const privateKeys = new WeakMap<Uint8Array, { bytes: Uint8Array; key: Promise<PrivateKey> }>();
  const hpke: Hpke = {
    keyLength: base.keyLength,
    nonceLength: base.nonceLength,
    open: base.open.bind(base),
    seal: base.seal.bind(base),
    exportPublicKey: base.exportPublicKey.bind(base),
    exportPrivateKey: base.exportPrivateKey.bind(base),
    exportSecret: base.exportSecret.bind(base),
    importSecret: base.importSecret.bind(base),
    deriveKeyPair: base.deriveKeyPair.bind(base),
    generateKeyPair: base.generateKeyPair.bind(base),
    encryptAead: base.encryptAead.bind(base),
    decryptAead: base.decryptAead.bind(base),
    importPublicKey(raw) {
      const id = publicBytesKey(raw);
      const known = publicKeys.get(id);
      if (known !== undefined) return known;
      const key = base.importPublicKey(raw);
      publicKeys.set(id, key);
      key.catch(() => publicKeys.delete(id));
      return key;
    },
    importPrivateKey(raw) {
      const known = privateKeys.get(raw);
      if (known !== undefined && constantTimeEqual(known.bytes, raw)) return known.key;
      const key = base.importPrivateKey(raw);
      privateKeys.set(raw, { bytes: raw.slice(), key });
      key.catch(() => privateKeys.delete(raw));
      return key;
    },
  };
  if (inlineAesGcm) {
    hpke.encryptAead = (key, nonce, aad, plaintext) =>
      plaintext.length > INLINE_AES_GCM_MAX_BYTES
        ? base.encryptAead(key, nonce, aad, plaintext)
        : Promise.resolve(gcm(key, nonce, aad ?? new Uint8Array()).encrypt(plaintext));
    hpke.decryptAead = (key, nonce, aad, ciphertext) => {
      if (ciphertext.length > INLINE_AES_GCM_MAX_BYTES) return base.decryptAead(key, nonce, aad, ciphertext);
      try {
        return Promise.resolve(gcm(key, nonce, aad ?? new Uint8Array()).decrypt(ciphertext));
      } catch (error) {
        // The same error type as the library's AEAD, so callers see one failure for a forged message.
        return Promise.reject(new CryptoError(String(error)));
      }
    };
  }
  return hpke;
}
