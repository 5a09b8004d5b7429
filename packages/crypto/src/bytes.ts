/** Small byte helpers shared by the modules of this package (not exported from the package). */

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid sequences throw instead of becoming U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** Each part as a 4-byte big-endian length followed by its bytes: an unambiguous concatenation to sign. */
export function lengthPrefixed(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, p) => sum + 4 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.length);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

/** Reads back what `lengthPrefixed` wrote; undefined when the bytes are not exactly such a sequence. */
export function splitLengthPrefixed(bytes: Uint8Array): Uint8Array[] | undefined {
  const parts: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) return undefined;
    const length = view.getUint32(offset);
    if (offset + 4 + length > bytes.length) return undefined;
    parts.push(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return parts;
}

export function uint64(value: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time in the contents for equal lengths; public keys and refs are compared with it too. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Overwrites secret bytes with zeros. Not ts-mls's `zeroOutUint8Array`: that one fills the array with random
 * bytes first (a `getRandomValues` call, ~6–20 µs, for every consumed ratchet secret of every message) and
 * throws above 64 KiB, the limit of `getRandomValues`.
 */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
