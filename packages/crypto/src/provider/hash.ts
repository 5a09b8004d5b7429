import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import type { Hash, HashAlgorithm, Kdf, KdfAlgorithm } from 'ts-mls';
import { extract, expand } from '@noble/hashes/hkdf.js';
import { constantTimeEqual } from './bytes.js';

/**
 * Hashing, HMAC and HKDF computed synchronously (@noble/hashes) and handed to ts-mls as settled promises.
 *
 * Why: a tree hash over N members is ~2N digests of a few hundred bytes. Through WebCrypto each digest is a
 * round trip to a worker thread (~50 µs in Node, more in a browser); computed inline it is ~5 µs. The results are
 * the same bytes (SHA-2 and HKDF are deterministic; the IETF vectors run through this provider prove it).
 */
const HASHES: Record<HashAlgorithm, CHash> = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 };
const KDF_HASHES: Record<KdfAlgorithm, CHash> = {
  'HKDF-SHA256': sha256,
  'HKDF-SHA384': sha384,
  'HKDF-SHA512': sha512,
};

export function syncHash(algorithm: HashAlgorithm): Hash {
  const hash = HASHES[algorithm];
  return {
    digest: (data) => Promise.resolve(hash(data)),
    mac: (key, data) => Promise.resolve(hmac(hash, key, data)),
    verifyMac: (key, mac, data) => Promise.resolve(constantTimeEqual(hmac(hash, key, data), mac)),
  };
}

export function syncKdf(algorithm: KdfAlgorithm): Kdf {
  const hash = KDF_HASHES[algorithm];
  return {
    extract: (salt, ikm) => Promise.resolve(extract(hash, ikm, salt)),
    expand: (prk, info, length) => Promise.resolve(expand(hash, prk, info, length)),
    size: hash.outputLen,
  };
}
