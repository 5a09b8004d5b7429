import {
  defaultCryptoProvider,
  getCiphersuiteImpl,
  type CiphersuiteImpl,
  type CiphersuiteName,
} from 'ts-mls';

/**
 * The crypto provider every MLS operation of ENLETS goes through. Placeholder: the library's default provider.
 * The caching provider (synchronous hashing, cached imported keys) replaces the body of `ciphersuite()`; callers
 * never build a `CiphersuiteImpl` themselves.
 */
export async function ciphersuite(name: CiphersuiteName): Promise<CiphersuiteImpl> {
  return getCiphersuiteImpl(name, defaultCryptoProvider);
}
