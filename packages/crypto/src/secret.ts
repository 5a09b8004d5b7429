import { bytesEqual } from './bytes.js';

/**
 * Opaque holders for secret bytes (identity private keys, MLS private key packages, saved group state). They
 * exist so that a secret cannot end up in a log line, an error report or a JSON body by accident: every way of
 * printing one — `String()`, template strings, `JSON.stringify`, `console.log`/`util.inspect` in Node, the
 * browser console's own formatting of enumerable fields — shows `[redacted]`. The bytes are reachable only
 * through `exposeBytes()`, so each place that really needs them is visible in a code search.
 */
export const REDACTED = '[redacted]';

/** Thrown when a destroyed secret is used: a use-after-free of key material is a bug, never a fallback. */
export class SecretDestroyedError extends Error {
  override readonly name = 'SecretDestroyedError';
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class SecretBytes {
  // A private field, not a property: it is not enumerable, so spreading, Object.keys, structuredClone of the
  // wrapper and console tables see nothing.
  #bytes: Uint8Array | undefined;

  /** Takes ownership of `bytes` (no copy): the caller must not keep using the array, and `destroy()` zeroes it. */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** A copy of `bytes`; the caller keeps its array (and should zero it when done). */
  static copyOf(bytes: Uint8Array): SecretBytes {
    return new SecretBytes(Uint8Array.from(bytes));
  }

  /**
   * The secret bytes themselves (not a copy; do not keep them beyond the call that needs them). Each call site
   * is a place where key material leaves its wrapper; keep them few.
   */
  exposeBytes(): Uint8Array {
    if (this.#bytes === undefined) throw new SecretDestroyedError('secret was destroyed');
    return this.#bytes;
  }

  get length(): number {
    return this.exposeBytes().length;
  }

  get destroyed(): boolean {
    return this.#bytes === undefined;
  }

  /** Overwrites the bytes with zeros and forgets them; later `exposeBytes()` throws. Idempotent. */
  destroy(): void {
    this.#bytes?.fill(0);
    this.#bytes = undefined;
  }

  /** Constant-time with respect to the contents (length is not secret). */
  equals(other: SecretBytes): boolean {
    return bytesEqual(this.exposeBytes(), other.exposeBytes());
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return REDACTED;
  }
}
