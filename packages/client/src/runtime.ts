/**
 * The few host APIs the SDK needs beyond ES2023, declared here because it compiles without DOM or Node types
 * (it must run in both). Browsers and Node 20+ provide all of them.
 */

/** An opaque timer handle (a number in browsers, an object in Node). */
export type TimerHandle = object | number;

interface HostTimers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

interface HostCrypto {
  readonly crypto?: { randomUUID?: () => string };
}

const host = globalThis as unknown as HostTimers & HostCrypto;

export function setTimer(callback: () => void, ms: number): TimerHandle {
  return host.setTimeout(callback, ms);
}

export function clearTimer(handle: TimerHandle | undefined): void {
  if (handle !== undefined) host.clearTimeout(handle);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimer(resolve, ms));
}

/** A random UUID from `globalThis.crypto` (browsers, Node 19+); there is no insecure fallback. */
export function randomUuid(): string {
  const randomUUID = host.crypto?.randomUUID;
  if (randomUUID === undefined) throw new Error('globalThis.crypto.randomUUID is not available');
  return randomUUID.call(host.crypto);
}

interface HostText {
  readonly TextEncoder: new () => { encode(text: string): Uint8Array };
  readonly TextDecoder: new (
    label: string,
    options: { fatal: boolean },
  ) => { decode(bytes: Uint8Array): string };
}

const text = globalThis as unknown as HostText;

export function utf8Encode(value: string): Uint8Array {
  return new text.TextEncoder().encode(value);
}

/** Strict: invalid UTF-8 throws (a TypeError) instead of turning into replacement characters. */
export function utf8Decode(bytes: Uint8Array): string {
  return new text.TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
