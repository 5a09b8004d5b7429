import type { Decoder, Encoder } from 'ts-mls';
import { mls } from './library.js';
import { bytes, decoded, expectBytes, expectEqual } from './expect.js';

/** tree-math.json: node arithmetic of the left-balanced binary tree (RFC 9420 Appendix C). */
export interface TreeMathVector {
  n_leaves: number;
  n_nodes: number;
  root: number;
  left: (number | null)[];
  right: (number | null)[];
  parent: (number | null)[];
  sibling: (number | null)[];
}

export function checkTreeMath(v: TreeMathVector): void {
  const t = mls.treeMath;
  expectEqual(t.nodeWidth(v.n_leaves), v.n_nodes, 'n_nodes');
  expectEqual(t.root(v.n_leaves), v.root, 'root');
  const relations: [string, (number | null)[], (i: number) => number][] = [
    ['left', v.left, (i) => t.left(t.toNodeIndex(i))],
    ['right', v.right, (i) => t.right(t.toNodeIndex(i))],
    ['parent', v.parent, (i) => t.parent(t.toNodeIndex(i), v.n_leaves)],
    ['sibling', v.sibling, (i) => t.sibling(t.toNodeIndex(i), v.n_leaves)],
  ];
  for (const [name, expected, compute] of relations) {
    expected.forEach((value, i) => {
      let actual: number | null;
      try {
        actual = compute(i);
      } catch {
        // The library throws where the relation is undefined (a leaf's children, the root's parent).
        actual = null;
      }
      expectEqual(actual, value, `${name}[${i}]`);
    });
  }
}

/** deserialization.json: the variable-length integer header of `opaque<V>` (RFC 9420 §2.1.2). */
export interface DeserializationVector {
  vlbytes_header: string;
  length: number;
}

export function checkDeserialization(v: DeserializationVector): void {
  expectEqual(mls.variableLength.determineLength(bytes(v.vlbytes_header)).length, v.length, 'length');
}

/** messages.json: every message structure decodes and re-encodes to the same bytes. */
export interface MessagesVector {
  mls_welcome: string;
  mls_group_info: string;
  mls_key_package: string;
  ratchet_tree: string;
  group_secrets: string;
  add_proposal: string;
  update_proposal: string;
  remove_proposal: string;
  pre_shared_key_proposal: string;
  re_init_proposal: string;
  external_init_proposal: string;
  group_context_extensions_proposal: string;
  commit: string;
  public_message_application: string;
  public_message_proposal: string;
  public_message_commit: string;
  private_message: string;
}

function roundTrip<T>(encoder: Encoder<T>, decoder: Decoder<T>, hex: string, what: string): void {
  expectBytes(mls.index.encode(encoder, decoded(decoder, hex, what)), hex, `${what} re-encoded`);
}

export function checkMessages(v: MessagesVector): void {
  const { encode, mlsMessageEncoder, mlsMessageDecoder, wireformats, contentTypes } = mls.index;
  const p = mls.proposal;
  const framed: [keyof MessagesVector, number, number | undefined][] = [
    ['mls_welcome', wireformats.mls_welcome, undefined],
    ['mls_group_info', wireformats.mls_group_info, undefined],
    ['mls_key_package', wireformats.mls_key_package, undefined],
    ['private_message', wireformats.mls_private_message, undefined],
    ['public_message_application', wireformats.mls_public_message, contentTypes.application],
    ['public_message_proposal', wireformats.mls_public_message, contentTypes.proposal],
    ['public_message_commit', wireformats.mls_public_message, contentTypes.commit],
  ];
  for (const [field, wireformat, contentType] of framed) {
    const message = decoded(mlsMessageDecoder, v[field], field);
    expectEqual(message.wireformat, wireformat, `${field} wire format`);
    if (contentType !== undefined && message.wireformat === wireformats.mls_public_message) {
      expectEqual(message.publicMessage.content.contentType, contentType, `${field} content type`);
    }
    expectBytes(encode(mlsMessageEncoder, message), v[field], `${field} re-encoded`);
  }
  roundTrip(
    mls.ratchetTree.ratchetTreeEncoder,
    mls.ratchetTree.ratchetTreeDecoder,
    v.ratchet_tree,
    'ratchet_tree',
  );
  roundTrip(
    mls.groupSecrets.groupSecretsEncoder,
    mls.groupSecrets.groupSecretsDecoder,
    v.group_secrets,
    'group_secrets',
  );
  roundTrip(p.addEncoder, p.addDecoder, v.add_proposal, 'add_proposal');
  roundTrip(p.updateEncoder, p.updateDecoder, v.update_proposal, 'update_proposal');
  roundTrip(p.removeEncoder, p.removeDecoder, v.remove_proposal, 'remove_proposal');
  roundTrip(p.pskEncoder, p.pskDecoder, v.pre_shared_key_proposal, 'pre_shared_key_proposal');
  roundTrip(p.reinitEncoder, p.reinitDecoder, v.re_init_proposal, 're_init_proposal');
  roundTrip(p.externalInitEncoder, p.externalInitDecoder, v.external_init_proposal, 'external_init_proposal');
  roundTrip(
    p.groupContextExtensionsEncoder,
    p.groupContextExtensionsDecoder,
    v.group_context_extensions_proposal,
    'group_context_extensions_proposal',
  );
  roundTrip(mls.commit.commitEncoder, mls.commit.commitDecoder, v.commit, 'commit');
}
