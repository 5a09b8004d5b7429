import { decodeDeviceCredential, type DeviceCredential } from '@enlets/crypto';
import {
  defaultCredentialTypes,
  mlsMessageDecoder,
  wireformats,
  type Credential,
  type MlsGroupInfo,
  type MlsKeyPackage,
  type MlsMessage,
  type MlsPrivateMessage,
  type MlsPublicMessage,
  type MlsWelcomeMessage,
} from 'ts-mls';

/**
 * Reading the MLS objects clients hand the Delivery Service (ADR 0011). Decoding is ts-mls's; this module adds
 * the strictness a server needs on untrusted bytes (nothing after the message, the expected wire format, never
 * an exception escaping as a 500) and a reader for the one structure ts-mls does not export a decoder for, the
 * ratchet tree inside a GroupInfo's `ratchet_tree` extension.
 */

interface WireformatMessages {
  readonly mls_private_message: MlsPrivateMessage;
  readonly mls_public_message: MlsPublicMessage;
  readonly mls_welcome: MlsWelcomeMessage;
  readonly mls_group_info: MlsGroupInfo;
  readonly mls_key_package: MlsKeyPackage;
}

/** Why bytes are not the MLS object expected; the caller turns it into its catalogued error. */
export class MlsDecodeError extends Error {
  override readonly name = 'MlsDecodeError';
}

/** Decodes one whole MLSMessage of the given wire format; throws MlsDecodeError on anything else. */
export function decodeMlsMessage<W extends keyof WireformatMessages>(
  bytes: Uint8Array,
  wireformat: W,
): WireformatMessages[W] {
  let decoded: [MlsMessage, number] | undefined;
  try {
    decoded = mlsMessageDecoder(bytes, 0);
  } catch (cause) {
    throw new MlsDecodeError('not an MLS message', { cause });
  }
  if (decoded === undefined) throw new MlsDecodeError('not an MLS message');
  const [message, length] = decoded;
  if (length !== bytes.length) throw new MlsDecodeError('bytes follow the MLS message');
  if (message.wireformat !== wireformats[wireformat]) throw new MlsDecodeError(`not an ${wireformat}`);
  return message as WireformatMessages[W];
}

/** The device credential a leaf's MLS credential carries, or a reason it carries none. */
export function deviceCredentialOf(credential: Credential): DeviceCredential | string {
  if (credential.credentialType !== defaultCredentialTypes.basic || !('identity' in credential)) {
    return 'not a basic credential';
  }
  try {
    return decodeDeviceCredential(credential.identity);
  } catch {
    return 'not an ENLETS device credential';
  }
}

/** One non-blank leaf of a ratchet tree, as far as the Delivery Service needs it. */
export interface TreeLeaf {
  readonly signaturePublicKey: Uint8Array;
  /** The `identity` bytes of a basic credential; null for other credential types. */
  readonly basicIdentity: Uint8Array | null;
}

const NODE_LEAF = 1;
const NODE_PARENT = 2;
const SOURCE_KEY_PACKAGE = 1;
const SOURCE_UPDATE = 2;
const SOURCE_COMMIT = 3;

/**
 * The non-blank leaves (leaf index → leaf) of a ratchet tree as encoded in the `ratchet_tree` extension
 * (RFC 9420 §12.4.3.3: `optional<Node> ratchet_tree<V>`). Only reads; the tree's hashes and signatures are the
 * clients' to verify when they join. Throws MlsDecodeError on anything malformed.
 */
export function readRatchetTreeLeaves(data: Uint8Array): ReadonlyMap<number, TreeLeaf> {
  const reader = new TlsReader(data);
  const end = reader.vectorEnd();
  const leaves = new Map<number, TreeLeaf>();
  let nodeIndex = 0;
  while (reader.offset < end) {
    const present = reader.u8();
    if (present === 1) {
      const nodeType = reader.u8();
      const isLeafPosition = nodeIndex % 2 === 0;
      if (nodeType === NODE_LEAF && isLeafPosition) leaves.set(nodeIndex / 2, readLeafNode(reader));
      else if (nodeType === NODE_PARENT && !isLeafPosition) readParentNode(reader);
      else throw new MlsDecodeError('a node of the wrong type for its position');
    } else if (present !== 0) {
      throw new MlsDecodeError('bad optional marker');
    }
    nodeIndex += 1;
  }
  if (reader.offset !== end || end !== data.length) throw new MlsDecodeError('bytes follow the ratchet tree');
  return leaves;
}

function readLeafNode(reader: TlsReader): TreeLeaf {
  reader.opaque(); // encryption_key
  const signaturePublicKey = reader.opaque();
  const credentialType = reader.u16();
  // basic: identity<V>; x509: certificates<V> (a vector of vectors, skipped whole); others: opaque data<V>.
  const credentialData = reader.opaque();
  for (let i = 0; i < 5; i += 1) reader.opaque(); // capabilities: versions, suites, extensions, proposals, credentials
  const source = reader.u8();
  if (source === SOURCE_KEY_PACKAGE)
    reader.skip(16); // lifetime: two uint64
  else if (source === SOURCE_COMMIT)
    reader.opaque(); // parent_hash
  else if (source !== SOURCE_UPDATE) throw new MlsDecodeError('bad leaf node source');
  reader.opaque(); // extensions
  reader.opaque(); // signature
  return {
    signaturePublicKey,
    basicIdentity: credentialType === defaultCredentialTypes.basic ? credentialData : null,
  };
}

function readParentNode(reader: TlsReader): void {
  reader.opaque(); // encryption_key
  reader.opaque(); // parent_hash
  reader.opaque(); // unmerged_leaves
}

/** A cursor over TLS presentation-language bytes with MLS's variable-size length prefixes (RFC 9420 §2.1.2). */
class TlsReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  u8(): number {
    this.need(1);
    const value = this.bytes[this.offset] ?? 0;
    this.offset += 1;
    return value;
  }

  u16(): number {
    return this.u8() * 256 + this.u8();
  }

  skip(length: number): void {
    this.need(length);
    this.offset += length;
  }

  /** A variable-length vector's length prefix; returns where the vector ends. */
  vectorEnd(): number {
    const first = this.u8();
    const prefix = first >> 6;
    let length = first & 0x3f;
    if (prefix === 3) throw new MlsDecodeError('invalid length prefix');
    const extra = prefix === 0 ? 0 : prefix === 1 ? 1 : 3;
    for (let i = 0; i < extra; i += 1) length = length * 256 + this.u8();
    this.need(length);
    return this.offset + length;
  }

  opaque(): Uint8Array {
    const end = this.vectorEnd();
    const value = this.bytes.subarray(this.offset, end);
    this.offset = end;
    return value;
  }

  private need(length: number): void {
    if (this.offset + length > this.bytes.length) throw new MlsDecodeError('truncated');
  }
}
