import {
  ciphersuites,
  defaultCryptoProvider,
  getCiphersuiteImpl,
  type CiphersuiteImpl,
  type CiphersuiteName,
  type CryptoProvider,
  type HashAlgorithm,
  type KdfAlgorithm,
} from 'ts-mls';
import { syncHash, syncKdf } from './provider/hash.js';
import { withCachedKeys } from './provider/hpke.js';
import { ed25519Signature } from './provider/signature.js';

/**
 * The crypto provider every MLS operation of ENLETS goes through (ADR 0010). It is the library's default provider
 * with the hot paths replaced through ts-mls's `CryptoProvider` extension point:
 *
 * - SHA-2, HMAC and HKDF computed synchronously (tree hashes, key schedule, secret tree);
 * - Ed25519 with imported WebCrypto keys kept (signing and verifying every message);
 * - AES-GCM of message-sized payloads inline; HPKE public and private keys kept once imported.
 *
 * Everything else (HPKE seal/open, key derivation, post-quantum KEMs, other signature schemes) is the library's.
 * Outputs are byte-identical to the default provider: the IETF vectors pass through it
 * (`test/vectors/`), and `caching-provider.test.ts` compares the two directly.
 */
export const cachingCryptoProvider: CryptoProvider = {
  async getCiphersuiteImpl(id: number): Promise<CiphersuiteImpl> {
    const base = await defaultCryptoProvider.getCiphersuiteImpl(id);
    const algorithms = algorithmsOf(id);
    if (algorithms === undefined) return base;
    return {
      ...base,
      hash: syncHash(algorithms.hash),
      kdf: syncKdf(algorithms.kdf),
      signature: algorithms.signature === 'Ed25519' ? await ed25519Signature() : base.signature,
      hpke: withCachedKeys(base.hpke, algorithms.aesGcm),
    };
  },
};

const implementations = new Map<CiphersuiteName, Promise<CiphersuiteImpl>>();

/**
 * The MLS implementation of a cipher suite. One instance per suite for the whole process, so its key caches are
 * shared by every group.
 */
export function ciphersuite(name: CiphersuiteName): Promise<CiphersuiteImpl> {
  let impl = implementations.get(name);
  if (impl === undefined) {
    impl = getCiphersuiteImpl(name, cachingCryptoProvider);
    implementations.set(name, impl);
    impl.catch(() => implementations.delete(name));
  }
  return impl;
}

interface SuiteAlgorithms {
  readonly hash: HashAlgorithm;
  readonly kdf: KdfAlgorithm;
  readonly signature: string;
  readonly aesGcm: boolean;
}

const HASHES_BY_NAME = new Map<string, { hash: HashAlgorithm; kdf: KdfAlgorithm }>([
  ['SHA256', { hash: 'SHA-256', kdf: 'HKDF-SHA256' }],
  ['SHA384', { hash: 'SHA-384', kdf: 'HKDF-SHA384' }],
  ['SHA512', { hash: 'SHA-512', kdf: 'HKDF-SHA512' }],
]);

/**
 * The algorithms named by an MLS suite (`MLS_<level>_<KEM>_<AEAD>_<hash>_<signature>`). In every registered
 * suite the KDF is HKDF over the suite's hash.
 */
function algorithmsOf(id: number): SuiteAlgorithms | undefined {
  const name = (Object.keys(ciphersuites) as CiphersuiteName[]).find((n) => ciphersuites[n] === id);
  const parts = name?.split('_');
  const hash = HASHES_BY_NAME.get(parts?.[4] ?? '');
  if (parts === undefined || hash === undefined) return undefined;
  return { ...hash, signature: parts[5] ?? '', aesGcm: parts[3]?.startsWith('AES') === true };
}
