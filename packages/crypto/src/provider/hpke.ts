import { gcm } from '@noble/ciphers/aes.js';
import { CryptoError, type Hpke, type PrivateKey, type PublicKey } from 'ts-mls';
import { constantTimeEqual, publicBytesKey } from './bytes.js';
import { LruCache } from './lru.js';
import { nodeCrypto, plainBytes, type NodeCrypto } from './node-crypto.js';

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
 *   messages. Large payloads (a Welcome's GroupInfo) still go to WebCrypto. In Node, AES-GCM of every size is
 *   Node's synchronous OpenSSL call instead (`node-crypto.ts`): ~4× faster than inline for a 1 KiB message.
 */
const PUBLIC_KEY_CACHE_SIZE = 20_000;
/**
 * Above this size WebCrypto's native AES wins despite the key import and thread hop: a Welcome's GroupInfo
 * carries the ratchet tree (~1 MB at 1,000 members), ~50 ms in JavaScript against ~2 ms native.
 */
const INLINE_AES_GCM_MAX_BYTES = 16 * 1024;

/**
 * `inlineAesGcm`: the suite's AEAD is AES-GCM. `native`: Node's crypto (the default where it exists); tests
 * pass undefined to check the browser's path.
 */
export function withCachedKeys(
  base: Hpke,
  inlineAesGcm: boolean,
  native: NodeCrypto | undefined = nodeCrypto(),
): Hpke {
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
  if (inlineAesGcm && native !== undefined) {
    // Settled promises, and a failure (a forged message, a malformed key) is a rejection as with WebCrypto.
    hpke.encryptAead = (key, nonce, aad, plaintext) =>
      settle(() => nativeAesGcmEncrypt(native, key, nonce, aad, plaintext));
    hpke.decryptAead = (key, nonce, aad, ciphertext) =>
      settle(() => nativeAesGcmDecrypt(native, key, nonce, aad, ciphertext));
  } else if (inlineAesGcm) {
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

const GCM_TAG_BYTES = 16;

function settle(compute: () => Uint8Array): Promise<Uint8Array> {
  try {
    return Promise.resolve(compute());
  } catch (error) {
    return Promise.reject(error instanceof CryptoError ? error : new CryptoError(String(error)));
  }
}

function gcmName(key: Uint8Array): string {
  if (key.length !== 16 && key.length !== 32) throw new CryptoError('AES-GCM key must have 16 or 32 bytes');
  return `aes-${String(key.length * 8)}-gcm`;
}

/** AES-GCM in Node's OpenSSL: ciphertext followed by the 16-byte tag, as WebCrypto and @noble produce it. */
function nativeAesGcmEncrypt(
  native: NodeCrypto,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array | undefined,
  plaintext: Uint8Array,
): Uint8Array {
  const cipher = native.createCipheriv(gcmName(key), key, nonce, { authTagLength: GCM_TAG_BYTES });
  if (aad !== undefined) cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  const tag = cipher.getAuthTag();
  const sealed = new Uint8Array(body.length + rest.length + tag.length);
  sealed.set(body);
  sealed.set(rest, body.length);
  sealed.set(tag, body.length + rest.length);
  return sealed;
}

/** Throws when the tag does not verify: nothing of a forged ciphertext is returned. */
function nativeAesGcmDecrypt(
  native: NodeCrypto,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array | undefined,
  sealed: Uint8Array,
): Uint8Array {
  if (sealed.length < GCM_TAG_BYTES) throw new CryptoError('AES-GCM ciphertext shorter than its tag');
  const bodyLength = sealed.length - GCM_TAG_BYTES;
  const decipher = native.createDecipheriv(gcmName(key), key, nonce, { authTagLength: GCM_TAG_BYTES });
  if (aad !== undefined) decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(bodyLength));
  const body = decipher.update(sealed.subarray(0, bodyLength));
  let rest: Uint8Array;
  try {
    rest = decipher.final();
  } catch (error) {
    body.fill(0); // decrypted but not authentic: nothing of it stays around
    throw error;
  }
  if (rest.length === 0) return plainBytes(body);
  const plaintext = new Uint8Array(body.length + rest.length);
  plaintext.set(body);
  plaintext.set(rest, body.length);
  return plaintext;
}
