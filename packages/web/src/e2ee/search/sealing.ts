/**
 * The device search's cryptography (ADR 0020), WebCrypto only: AES-GCM-256 seals every document and postings
 * segment, bound to its place by the additional data (a sealed row moved to another key does not open);
 * HMAC-SHA-256 turns a token's prefix into a bucket number, so the stored keys say nothing about the words.
 * Both keys are made here, non-extractable: no script, ours included, can read their bytes. `seal` and `open`
 * seal the decrypted messages too (`storage/sealed-content.ts`, ADR 0015), under the same key, with contexts of
 * their own; the keys are the account's at-rest keys (`storage/at-rest-keys.ts`).
 */

export interface SearchKeys {
  readonly seal: CryptoKey;
  readonly name: CryptoKey;
}

export interface Sealed {
  readonly iv: Uint8Array;
  readonly data: Uint8Array;
}

/**
 * How many buckets tokens fall into. Few enough that every bucket mixes the tokens of several prefixes (its
 * size at rest tells little about any one word), many enough that a query reads little.
 */
export const BUCKETS = 256;

/** Plaintext is padded to a multiple of this many bytes before sealing: lengths at rest are coarse. */
const PAD_BYTES = 64;
const IV_BYTES = 12;

const encoder = new TextEncoder();

/** Fresh keys for a new index, usable only through WebCrypto. */
export async function generateSearchKeys(): Promise<SearchKeys> {
  const [seal, name] = await Promise.all([
    crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
  ]);
  return { seal, name };
}

/** Seals `plaintext` for the place `context` names (the same context must be given to open it). */
export async function seal(keys: SearchKeys, plaintext: Uint8Array, context: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(context) },
    keys.seal,
    padded(plaintext),
  );
  return { iv, data: new Uint8Array(data) };
}

/** Opens what `seal` sealed for `context`; throws (OperationError) for another key, context or any change. */
export async function open(keys: SearchKeys, sealed: Sealed, context: string): Promise<Uint8Array> {
  const plaintext = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: Uint8Array.from(sealed.iv), additionalData: encoder.encode(context) },
    keys.seal,
    Uint8Array.from(sealed.data),
  );
  return unpadded(new Uint8Array(plaintext));
}

/** The bucket of a token prefix (`tokens.ts` `bucketName`): HMAC, so only the key holder can compute it. */
export async function bucketOf(keys: SearchKeys, name: string): Promise<number> {
  const mac = new DataView(
    await crypto.subtle.sign('HMAC', keys.name, encoder.encode(`bucket\u0000${name}`)),
  );
  return mac.getUint32(0) % BUCKETS;
}

/** 4 bytes of length, the plaintext, zeros up to a multiple of PAD_BYTES. */
function padded(plaintext: Uint8Array): Uint8Array<ArrayBuffer> {
  const total = Math.ceil((plaintext.length + 4) / PAD_BYTES) * PAD_BYTES;
  const bytes = new Uint8Array(total);
  new DataView(bytes.buffer).setUint32(0, plaintext.length);
  bytes.set(plaintext, 4);
  return bytes;
}

function unpadded(bytes: Uint8Array): Uint8Array {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (length > bytes.length - 4) throw new Error('a sealed search record is malformed');
  return bytes.subarray(4, 4 + length);
}
