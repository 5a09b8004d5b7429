import {
  decode,
  defaultCapabilities,
  defaultCredentialTypes,
  encode,
  generateKeyPackageWithKey,
  makeCustomExtension,
  makeKeyPackageRef,
  mlsMessageDecoder,
  mlsMessageEncoder,
  privateKeyPackageDecoder,
  privateKeyPackageEncoder,
  protocolVersions,
  wireformats,
  type KeyPackage,
  type PrivateKeyPackage,
} from 'ts-mls';
import {
  CredentialFormatError,
  decodeDeviceCredential,
  encodeDeviceCredential,
  type DeviceCredential,
} from './credential.js';
import { ciphersuite } from './provider.js';
import { SecretBytes } from './secret.js';
import { mlsSuiteById, type MlsSuiteName } from './suites.js';
import { lengthPrefixed, splitLengthPrefixed, toHex } from './bytes.js';

/**
 * KeyPackages of this device (RFC 9420 §10): the one-time pool it uploads and its last-resort package. The
 * public part travels as MLSMessage bytes; the private part (init, HPKE and signature private keys) stays on the
 * device as an opaque `SecretBytes` until a Welcome consumes it.
 */

/** 90 days: long enough for a device that is rarely online, well under ts-mls's 4-month maximum. */
export const KEY_PACKAGE_LIFETIME_SECONDS = 90 * 24 * 60 * 60;
/** Validity starts an hour early so that a peer whose clock runs behind does not refuse a fresh package. */
const CLOCK_SKEW_SECONDS = 60 * 60;
/**
 * The `last_resort` KeyPackage extension (draft-ietf-mls-extensions, IANA MLS Extension Types 0x000A, empty
 * data). ts-mls has no constant for it, so it is set as a custom extension and listed in the leaf's
 * capabilities; the library carries it untouched and the server reads it to keep the package after a claim.
 */
export const LAST_RESORT_EXTENSION_TYPE = 0x000a;

export class KeyPackageFormatError extends Error {
  override readonly name = 'KeyPackageFormatError';
}

/** The device's long-term MLS signature key pair (the key its device-list entry names). */
export interface DeviceSigningKeys {
  readonly publicKey: Uint8Array;
  readonly privateKey: SecretBytes;
}

/** One KeyPackage as the device keeps it. */
export interface LocalKeyPackage {
  /** KeyPackageRef (RFC 9420 §5.2): how Welcomes and the server name this package. */
  readonly ref: Uint8Array;
  readonly refHex: string;
  /** MLSMessage bytes (wire format mls_key_package), to upload. */
  readonly message: Uint8Array;
  readonly lastResort: boolean;
  /** Lifetime in seconds since the Unix epoch. */
  readonly notBefore: bigint;
  readonly notAfter: bigint;
  /** The encoded PrivateKeyPackage. */
  readonly privateKeys: SecretBytes;
}

export async function generateKeyPackage(params: {
  readonly suite: MlsSuiteName;
  readonly credential: DeviceCredential;
  readonly signingKeys: DeviceSigningKeys;
  readonly lastResort?: boolean;
  /** For tests; defaults to the current time. */
  readonly now?: Date;
}): Promise<LocalKeyPackage> {
  const cs = await ciphersuite(params.suite);
  const lastResort = params.lastResort ?? false;
  const nowSeconds = BigInt(Math.floor((params.now ?? new Date()).getTime() / 1000));
  const lifetime = {
    notBefore: nowSeconds - BigInt(CLOCK_SKEW_SECONDS),
    notAfter: nowSeconds + BigInt(KEY_PACKAGE_LIFETIME_SECONDS),
  };
  const capabilities = defaultCapabilities();
  capabilities.extensions = [...capabilities.extensions, LAST_RESORT_EXTENSION_TYPE];
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey({
    credential: {
      credentialType: defaultCredentialTypes.basic,
      identity: encodeDeviceCredential(params.credential),
    },
    capabilities,
    lifetime,
    extensions: lastResort
      ? [makeCustomExtension({ extensionType: LAST_RESORT_EXTENSION_TYPE, extensionData: new Uint8Array() })]
      : [],
    // ts-mls copies nothing: the state it builds later keeps a reference to this array, so it gets its own copy.
    signatureKeyPair: {
      publicKey: params.signingKeys.publicKey,
      signKey: Uint8Array.from(params.signingKeys.privateKey.exposeBytes()),
    },
    cipherSuite: cs,
  });
  const ref = await makeKeyPackageRef(publicPackage, cs.hash);
  return {
    ref,
    refHex: toHex(ref),
    message: encodeKeyPackageMessage(publicPackage),
    lastResort,
    notBefore: lifetime.notBefore,
    notAfter: lifetime.notAfter,
    privateKeys: new SecretBytes(encode(privateKeyPackageEncoder, privatePackage)),
  };
}

/** What anyone (the server included) can read from an uploaded KeyPackage, without any secret. */
export interface KeyPackageInfo {
  readonly suite: MlsSuiteName;
  readonly ref: Uint8Array;
  readonly refHex: string;
  readonly credential: DeviceCredential;
  /** The leaf signature public key the credential must bind (check with `verifyDeviceCredential`). */
  readonly signatureKey: Uint8Array;
  readonly lastResort: boolean;
  readonly notBefore: bigint;
  readonly notAfter: bigint;
}

/**
 * Reads MLSMessage bytes that must hold a KeyPackage of an offered suite with an ENLETS device credential.
 * Throws KeyPackageFormatError otherwise. It does not check signatures: the server checks the credential with
 * `verifyDeviceCredential`, and every client checks the package's own signature (and everything else) when it
 * is added to a group.
 */
export async function readKeyPackage(message: Uint8Array): Promise<KeyPackageInfo> {
  const keyPackage = decodeKeyPackageMessage(message);
  const suite = mlsSuiteById(keyPackage.cipherSuite);
  if (suite === undefined) throw new KeyPackageFormatError('cipher suite not offered');
  const leaf = keyPackage.leafNode;
  if (leaf.credential.credentialType !== defaultCredentialTypes.basic || !('identity' in leaf.credential))
    throw new KeyPackageFormatError('not a basic credential');
  let credential: DeviceCredential;
  try {
    credential = decodeDeviceCredential(leaf.credential.identity);
  } catch (error) {
    if (error instanceof CredentialFormatError) throw new KeyPackageFormatError(error.message);
    throw error;
  }
  const ref = await makeKeyPackageRef(keyPackage, (await ciphersuite(suite)).hash);
  return {
    suite,
    ref,
    refHex: toHex(ref),
    credential,
    signatureKey: leaf.signaturePublicKey,
    lastResort: keyPackage.extensions.some((e) => e.extensionType === LAST_RESORT_EXTENSION_TYPE),
    notBefore: leaf.lifetime.notBefore,
    notAfter: leaf.lifetime.notAfter,
  };
}

/** KeyPackages are at most a few KiB (an X-Wing init key is 1,216 bytes); bound what is parsed. */
const MAX_KEY_PACKAGE_BYTES = 16 * 1024;

/** @internal The ts-mls KeyPackage inside MLSMessage bytes; throws KeyPackageFormatError. */
export function decodeKeyPackageMessage(message: Uint8Array): KeyPackage {
  if (message.length > MAX_KEY_PACKAGE_BYTES) throw new KeyPackageFormatError('key package too long');
  let decoded;
  try {
    decoded = decode(mlsMessageDecoder, message);
  } catch {
    decoded = undefined;
  }
  if (decoded?.wireformat !== wireformats.mls_key_package)
    throw new KeyPackageFormatError('not a KeyPackage');
  return decoded.keyPackage;
}

function encodeKeyPackageMessage(keyPackage: KeyPackage): Uint8Array {
  return encode(mlsMessageEncoder, {
    wireformat: wireformats.mls_key_package,
    keyPackage,
    version: protocolVersions.mls10,
  });
}

/** @internal The private keys of a local package, for ts-mls (copies: ts-mls keeps references). */
export function privateKeyPackageOf(local: LocalKeyPackage): PrivateKeyPackage {
  const decoded = decode(privateKeyPackageDecoder, local.privateKeys.exposeBytes());
  if (decoded === undefined) throw new KeyPackageFormatError('private key package unreadable');
  // The decoder returns views into its input; copies keep the keys alive after the package is destroyed.
  return {
    initPrivateKey: Uint8Array.from(decoded.initPrivateKey),
    hpkePrivateKey: Uint8Array.from(decoded.hpkePrivateKey),
    signaturePrivateKey: Uint8Array.from(decoded.signaturePrivateKey),
  };
}

const LOCAL_KEY_PACKAGE_FORMAT = 1;

/** A local package as opaque bytes for the device's storage (it holds private keys). */
export function exportLocalKeyPackage(local: LocalKeyPackage): SecretBytes {
  return new SecretBytes(
    lengthPrefixed([
      Uint8Array.of(LOCAL_KEY_PACKAGE_FORMAT, local.lastResort ? 1 : 0),
      local.message,
      local.privateKeys.exposeBytes(),
    ]),
  );
}

/** Reads back `exportLocalKeyPackage`; throws KeyPackageFormatError. */
export async function importLocalKeyPackage(stored: SecretBytes): Promise<LocalKeyPackage> {
  const parts = splitLengthPrefixed(stored.exposeBytes());
  const [header, message, privateKeys] = parts ?? [];
  if (
    parts?.length !== 3 ||
    header?.[0] !== LOCAL_KEY_PACKAGE_FORMAT ||
    message === undefined ||
    !privateKeys
  )
    throw new KeyPackageFormatError('not a stored key package');
  const info = await readKeyPackage(message);
  return {
    ref: info.ref,
    refHex: info.refHex,
    message: Uint8Array.from(message),
    lastResort: header[1] === 1,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    privateKeys: SecretBytes.copyOf(privateKeys),
  };
}
