/** Byte helpers shared by the provider modules. */

/** Constant-time equality: the running time depends only on the lengths, never on where the bytes differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * A map key for public bytes (public keys). Latin-1 keeps one character per byte, so distinct byte strings give
 * distinct keys. Never use it for secrets: a JS string cannot be wiped.
 */
export function publicBytesKey(bytes: Uint8Array): string {
  let key = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    key += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return key;
}

/** The same bytes in a fresh `ArrayBuffer` (WebCrypto refuses views of shared or resizable buffers). */
export function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
