import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  PasskeyAssertionCredential,
  PasskeyCreationOptions,
  PasskeyRegistrationCredential,
  PasskeyRequestOptions,
} from '@enlets/protocol';

/*
 * A software WebAuthn authenticator for the server suites: an ES256 (P-256) key made with node:crypto, and
 * the bytes a real authenticator and browser would produce, built here by hand (WebAuthn Level 3 §6.1
 * authenticator data, §6.5.4 attestation object with format "none", §5.8.1 client data), so the server's
 * verification is exercised on real ceremonies without a browser. Deliberately independent of SimpleWebAuthn:
 * the code under test must not also be the code that builds its inputs.
 */

// --- a minimal CBOR encoder (RFC 8949): the types an attestation object and a COSE key need ---------------

type Cbor = number | string | Uint8Array | ReadonlyMap<number | string, Cbor>;

function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(value, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(value, 1);
  return b;
}

export function cborEncode(value: Cbor): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('only integers');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const parts: Buffer[] = [head(5, value.size)];
  for (const [key, item] of value) parts.push(cborEncode(key), cborEncode(item));
  return Buffer.concat(parts);
}

// --- the authenticator ---------------------------------------------------------------------------------

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array): string => Buffer.from(data).toString('base64url');

export interface CeremonyOverrides {
  /** The origin the "browser" puts in the client data (default: the authenticator's origin). */
  readonly origin?: string;
  /** The RP ID whose hash goes into the authenticator data (default: the one in the options). */
  readonly rpId?: string;
  /** Whether the authenticator verified the user (PIN, biometrics). Default true. */
  readonly userVerified?: boolean;
  /** The signature counter to report (default: one more than the last). */
  readonly counter?: number;
  /** Sign with another key than the credential's (a forgery). */
  readonly forgeSignature?: boolean;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  #counter = 0;
  #userHandle: string | undefined;

  constructor(
    readonly origin: string,
    /** 0: an authenticator that keeps no counter (always reports 0), as many platform authenticators do. */
    readonly counterStep = 1,
  ) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = pair.privateKey;
    this.#publicKey = pair.publicKey;
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  /** The credential's public key as COSE_Key (EC2, P-256, ES256). */
  #coseKey(): Buffer {
    const jwk = this.#publicKey.export({ format: 'jwk' });
    if (jwk.x === undefined || jwk.y === undefined) throw new Error('not an EC key');
    return cborEncode(
      new Map<number, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x, 'base64url')],
        [-3, Buffer.from(jwk.y, 'base64url')],
      ]),
    );
  }

  #authenticatorData(rpId: string, flags: number, counter: number, attested: boolean): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    const parts = [sha256(rpId), Buffer.from([flags]), count];
    if (attested) {
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), idLength, this.credentialId, this.#coseKey()); // AAGUID: zeros
    }
    return Buffer.concat(parts);
  }

  #clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  #flags(overrides: CeremonyOverrides, extra = 0): number {
    return FLAG_UP | (overrides.userVerified === false ? 0 : FLAG_UV) | extra;
  }

  #nextCounter(overrides: CeremonyOverrides): number {
    if (overrides.counter !== undefined) return overrides.counter;
    this.#counter += this.counterStep;
    return this.#counter;
  }

  /** `navigator.credentials.create()` answered: a new discoverable credential, attestation "none". */
  create(options: PasskeyCreationOptions, overrides: CeremonyOverrides = {}): PasskeyRegistrationCredential {
    this.#userHandle = options.user.id;
    const rpId = overrides.rpId ?? options.rp.id;
    const authData = this.#authenticatorData(rpId, this.#flags(overrides, FLAG_AT), 0, true);
    const attestationObject = cborEncode(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientData = this.#clientData(
      'webauthn.create',
      options.challenge,
      overrides.origin ?? this.origin,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: { credProps: { rk: true } },
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** `navigator.credentials.get()` answered: a signed assertion with the user handle (a discoverable login). */
  get(options: PasskeyRequestOptions, overrides: CeremonyOverrides = {}): PasskeyAssertionCredential {
    const rpId = overrides.rpId ?? options.rpId;
    const authData = this.#authenticatorData(
      rpId,
      this.#flags(overrides),
      this.#nextCounter(overrides),
      false,
    );
    const clientData = this.#clientData('webauthn.get', options.challenge, overrides.origin ?? this.origin);
    const signed = Buffer.concat([authData, sha256(clientData)]);
    const key = overrides.forgeSignature
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      : this.#privateKey;
    const signature = sign('sha256', signed, key); // DER-encoded ECDSA, as WebAuthn's ES256 signatures are
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.#userHandle === undefined ? {} : { userHandle: this.#userHandle }),
      },
    };
  }
}
