import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** Small assertions for vector checks: each failure names the field that differs. */
export class VectorMismatch extends Error {
  override readonly name = 'VectorMismatch';
}

export const bytes = (hex: string): Uint8Array => hexToBytes(hex);

export function expectBytes(actual: Uint8Array | undefined, expectedHex: string, what: string): void {
  if (actual === undefined) throw new VectorMismatch(`${what}: missing`);
  if (bytesToHex(actual) !== expectedHex.toLowerCase()) throw new VectorMismatch(`${what} differs`);
}

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) {
    throw new VectorMismatch(`${what}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
  }
}

export function expectTrue(condition: boolean, what: string): void {
  if (!condition) throw new VectorMismatch(`${what} failed`);
}

export async function expectRejects(promise: Promise<unknown>, what: string): Promise<void> {
  try {
    await promise;
  } catch {
    return;
  }
  throw new VectorMismatch(`${what} was accepted`);
}

/** Decodes with a ts-mls decoder at offset 0; a vector that does not decode is a failure. */
export function decoded<T>(
  decoder: (data: Uint8Array, offset: number) => [T, number] | undefined,
  hex: string,
  what: string,
): T {
  const result = decoder(hexToBytes(hex), 0);
  if (result === undefined) throw new VectorMismatch(`${what} does not decode`);
  return result[0];
}
