import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** A fresh random id (UUID v4) for any row. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the brand is the caller's choice
export function newId<T extends string = string>(): T {
  return randomUUID() as T;
}

/** 256 bits of randomness, base64url: session tokens and the tokens in e-mailed links. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Tokens are stored only as their SHA-256: a database dump gives no usable session or link. A fast hash is
 * right here (unlike passwords) because the input has 256 bits of entropy.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
