import type { CiphersuiteImpl, RatchetTree } from 'ts-mls';
import { mls } from './library.js';
import { groupContext } from './checks-crypto.js';
import { bytes, decoded, expectBytes, expectEqual, expectTrue, VectorMismatch } from './expect.js';

/** tree-operations.json: Add, Update and Remove applied to a ratchet tree, with tree hashes before and after. */
export interface TreeOperationsVector {
  cipher_suite: number;
  tree_before: string;
  proposal: string;
  proposal_sender: number;
  tree_after: string;
  tree_hash_before: string;
  tree_hash_after: string;
}

export async function checkTreeOperations(v: TreeOperationsVector, cs: CiphersuiteImpl): Promise<void> {
  const { ratchetTree: rt, treeHash, index } = mls;
  const tree = decoded(rt.ratchetTreeDecoder, v.tree_before, 'tree_before');
  expectBytes(await treeHash.treeHashRoot(tree, cs.hash), v.tree_hash_before, 'tree_hash_before');
  const proposal = decoded(mls.proposal.proposalDecoder, v.proposal, 'proposal');
  const after = tree.slice();
  if (!index.isDefaultProposal(proposal)) throw new VectorMismatch('unexpected custom proposal');
  switch (proposal.proposalType) {
    case index.defaultProposalTypes.add:
      rt.addLeafNodeMutable(after, proposal.add.keyPackage.leafNode);
      break;
    case index.defaultProposalTypes.update:
      rt.updateLeafNodeMutable(after, proposal.update.leafNode, mls.treeMath.toLeafIndex(v.proposal_sender));
      break;
    case index.defaultProposalTypes.remove:
      rt.removeLeafNodeMutable(after, mls.treeMath.toLeafIndex(proposal.remove.removed));
      break;
    case index.defaultProposalTypes.psk:
    case index.defaultProposalTypes.reinit:
    case index.defaultProposalTypes.external_init:
    case index.defaultProposalTypes.group_context_extensions:
      throw new VectorMismatch(`tree-operations has no ${proposal.proposalType} proposals`);
  }
  expectBytes(index.encode(rt.ratchetTreeEncoder, after), v.tree_after, 'tree_after');
  expectBytes(await treeHash.treeHashRoot(after, cs.hash), v.tree_hash_after, 'tree_hash_after');
}

/** tree-validation.json: every subtree hash and resolution, parent hashes and leaf signatures of a tree. */
export interface TreeValidationVector {
  cipher_suite: number;
  tree: string;
  group_id: string;
  resolutions: number[][];
  tree_hashes: string[];
}

export async function checkTreeValidation(v: TreeValidationVector, cs: CiphersuiteImpl): Promise<void> {
  const { treeMath, index } = mls;
  const tree = decoded(mls.ratchetTree.ratchetTreeDecoder, v.tree, 'tree');
  for (const [i, hex] of v.tree_hashes.entries()) {
    expectBytes(
      await mls.treeHash.treeHash(tree, treeMath.toNodeIndex(i), cs.hash),
      hex,
      `tree_hashes[${i}]`,
    );
  }
  for (const [i, expected] of v.resolutions.entries()) {
    const actual = mls.ratchetTree.resolution(tree, treeMath.toNodeIndex(i));
    expectEqual(actual.join(','), expected.join(','), `resolutions[${i}]`);
  }
  expectTrue(await mls.parentHash.verifyParentHashes(tree, cs.hash), 'parent hashes');
  for (const [i, node] of tree.entries()) {
    if (node?.nodeType !== index.nodeTypes.leaf) continue;
    const leafIndex = treeMath.nodeToLeafIndex(treeMath.toNodeIndex(i));
    expectTrue(
      await mls.leafNode.verifyLeafNodeSignature(node.leaf, bytes(v.group_id), leafIndex, cs.signature),
      `signature of leaf ${leafIndex}`,
    );
  }
}

/**
 * treekem.json (RFC 9420 §7): the private path secrets of some leaves match the tree's public keys; each
 * UpdatePath applies to the expected tree hash and gives every other leaf the expected path and commit secret;
 * and a fresh UpdatePath from the same sender gives the other leaves the sender's commit secret.
 */
export interface TreeKemVector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  confirmed_transcript_hash: string;
  ratchet_tree: string;
  leaves_private: {
    index: number;
    encryption_priv: string;
    signature_priv: string;
    path_secrets: { node: number; path_secret: string }[];
  }[];
  update_paths: {
    sender: number;
    update_path: string;
    path_secrets: (string | null)[];
    commit_secret: string;
    tree_hash_after: string;
  }[];
}

export async function checkTreeKem(v: TreeKemVector, cs: CiphersuiteImpl): Promise<void> {
  const { treeMath, treeHash } = mls;
  const tree = decoded(mls.ratchetTree.ratchetTreeDecoder, v.ratchet_tree, 'ratchet_tree');
  const context = groupContext(
    v.cipher_suite,
    v.group_id,
    v.epoch,
    await treeHash.treeHashRoot(tree, cs.hash),
    v.confirmed_transcript_hash,
  );
  await checkPrivateKeysMatchTree(v, tree, cs);
  const privatePaths = await Promise.all(
    v.leaves_private.map(async (leaf) => {
      const secrets = Object.fromEntries(leaf.path_secrets.map((p) => [p.node, bytes(p.path_secret)]));
      const path = await mls.privateKeyPath.toPrivateKeyPath(secrets, leaf.index, cs);
      const leafNode = treeMath.leafToNodeIndex(treeMath.toLeafIndex(leaf.index));
      return { ...path, privateKeys: { ...path.privateKeys, [leafNode]: bytes(leaf.encryption_priv) } };
    }),
  );

  for (const [n, update] of v.update_paths.entries()) {
    const at = `update_paths[${n}]`;
    const sender = treeMath.toLeafIndex(update.sender);
    const path = decoded(mls.updatePath.updatePathDecoder, update.update_path, `${at} update_path`);
    const applied = tree.slice();
    await mls.updatePath.applyUpdatePath(applied, sender, path, cs.hash);
    const appliedHash = await treeHash.treeHashRoot(applied, cs.hash);
    expectBytes(appliedHash, update.tree_hash_after, `${at} tree_hash_after`);
    const appliedContext = { ...context, treeHash: appliedHash };

    const senderLeaf = v.leaves_private.find((leaf) => leaf.index === update.sender);
    if (senderLeaf === undefined) throw new VectorMismatch(`${at}: no private state for the sender`);
    const [ownTree, ownPath, ownSecrets] = await mls.updatePath.createUpdatePath(
      tree,
      applied,
      sender,
      appliedContext,
      bytes(senderLeaf.signature_priv),
      cs,
    );
    const rootSecret = ownSecrets.at(-1);
    if (rootSecret === undefined) throw new VectorMismatch(`${at}: our UpdatePath has no path secrets`);
    const ownCommitSecret = await mls.kdf.deriveSecret(rootSecret.secret, 'path', cs.kdf);
    const ownContext = {
      ...context,
      treeHash: await treeHash.treeHashRoot(ownTree, cs.hash),
      epoch: context.epoch + 1n,
    };

    for (const privatePath of privatePaths) {
      const leaf = privatePath.leafIndex;
      if (leaf === update.sender) {
        expectEqual(update.path_secrets[leaf], null, `${at} path_secrets[sender]`);
        continue;
      }
      const received = await mls.createCommit.applyUpdatePathSecret(
        tree,
        privatePath,
        sender,
        appliedContext,
        path,
        [],
        cs,
      );
      expectBytes(received.pathSecret, update.path_secrets[leaf] ?? '', `${at} path_secrets[${leaf}]`);
      expectBytes(
        await mls.pathSecrets.getCommitSecret(tree, received.nodeIndex, received.pathSecret, cs.kdf),
        update.commit_secret,
        `${at} commit_secret for leaf ${leaf}`,
      );
      const fromOurs = await mls.createCommit.applyUpdatePathSecret(
        tree,
        privatePath,
        sender,
        ownContext,
        ownPath,
        [],
        cs,
      );
      const commitSecret = await mls.pathSecrets.getCommitSecret(
        tree,
        fromOurs.nodeIndex,
        fromOurs.pathSecret,
        cs.kdf,
      );
      expectEqual(toHex(commitSecret), toHex(ownCommitSecret), `${at} our commit secret at leaf ${leaf}`);
    }
  }
}

async function checkPrivateKeysMatchTree(
  v: TreeKemVector,
  tree: RatchetTree,
  cs: CiphersuiteImpl,
): Promise<void> {
  const { treeMath } = mls;
  for (const leaf of v.leaves_private) {
    const node = tree[treeMath.leafToNodeIndex(treeMath.toLeafIndex(leaf.index))];
    if (node?.nodeType !== mls.index.nodeTypes.leaf) throw new VectorMismatch(`no leaf at ${leaf.index}`);
    expectTrue(
      await hpkeKeysMatch(node.leaf.hpkePublicKey, bytes(leaf.encryption_priv), cs),
      `encryption key of leaf ${leaf.index}`,
    );
    for (const { node: nodeIndex, path_secret } of leaf.path_secrets) {
      const nodeSecret = await mls.kdf.deriveSecret(bytes(path_secret), 'node', cs.kdf);
      const { publicKey } = await cs.hpke.deriveKeyPair(nodeSecret);
      const treeNode = tree[nodeIndex];
      if (treeNode === undefined) throw new VectorMismatch(`blank node ${nodeIndex}`);
      expectBytes(
        mls.ratchetTree.getHpkePublicKey(treeNode),
        toHex(await cs.hpke.exportPublicKey(publicKey)),
        `public key of node ${nodeIndex} from leaf ${leaf.index}'s path secret`,
      );
    }
  }
}

/** True when the private key opens what is sealed to the public key. */
export async function hpkeKeysMatch(
  publicKey: Uint8Array,
  privateKey: Uint8Array,
  cs: CiphersuiteImpl,
): Promise<boolean> {
  const info = new TextEncoder().encode('ENLETS vector key check');
  const plaintext = cs.rng.randomBytes(16);
  const sealed = await cs.hpke.seal(await cs.hpke.importPublicKey(publicKey), plaintext, info);
  const opened = await cs.hpke.open(await cs.hpke.importPrivateKey(privateKey), sealed.enc, sealed.ct, info);
  return toHex(opened) === toHex(plaintext);
}

export function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}
