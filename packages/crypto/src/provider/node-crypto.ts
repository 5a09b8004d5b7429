/**
 * Node's own `node:crypto`, when this code runs in Node — reached without an import, so the package stays
 * isomorphic: a bundler never sees `node:*`, and in a browser this returns undefined and the provider keeps
 * using WebCrypto and @noble.
 *
 * Why it is worth it (ADR 0010; docs/performance.md, "MLS"): every application message is signed and verified
 * once and AES-GCM-encrypted once. Node's WebCrypto runs each of those as a job on a worker thread (~40 µs of
 * hand-over per call on the team's machine) and AES-GCM inline in JavaScript costs ~85 µs per KiB; the same
 * OpenSSL calls made synchronously cost Ed25519 ~40 µs to sign and ~90 µs to verify, AES-GCM ~20 µs per KiB.
 *
 * `process.getBuiltinModule` exists from Node 20.16 (the repository requires 20.19). Only the few calls the
 * provider makes are typed here, since the package builds without Node's types.
 */
export interface NodeKeyObject {
  readonly asymmetricKeyType?: string;
}

interface NodeCipher {
  setAAD(aad: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}

export interface NodeCrypto {
  createPrivateKey(key: { key: Uint8Array; format: 'der'; type: 'pkcs8' }): NodeKeyObject;
  createPublicKey(key: { key: Uint8Array; format: 'der'; type: 'spki' }): NodeKeyObject;
  sign(algorithm: null, data: Uint8Array, key: NodeKeyObject): Uint8Array;
  verify(algorithm: null, data: Uint8Array, key: NodeKeyObject, signature: Uint8Array): boolean;
  createCipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
    options: { authTagLength: number },
  ): NodeCipher & { getAuthTag(): Uint8Array };
  createDecipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
    options: { authTagLength: number },
  ): NodeCipher & { setAuthTag(tag: Uint8Array): unknown };
}

/** `node:crypto` when running in Node; undefined elsewhere. */
export function nodeCrypto(): NodeCrypto | undefined {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const module = runtime?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  return typeof module?.sign === 'function' && typeof module.createCipheriv === 'function'
    ? module
    : undefined;
}

/** A plain `Uint8Array` with its own memory (Node returns Buffers, which may be views into a shared pool). */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
