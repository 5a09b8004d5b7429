import { nodeTypes, type RatchetTree, type SecretTree } from 'ts-mls';
import { decodeDeviceCredential } from './credential.js';

/** One leaf of a group: which device of which user sits at which leaf index. */
export interface MlsMember {
  readonly leafIndex: number;
  readonly userId: string;
  readonly deviceId: string;
  /** The leaf's MLS signature public key (the key in the user's device list). */
  readonly signatureKey: Uint8Array;
}

/**
 * The members of a ratchet tree. Every leaf in a tree we hold passed the AuthenticationService when it entered,
 * so its credential decodes; a leaf that does not (impossible unless the state was edited) is left out rather
 * than shown under a made-up name.
 */
export function membersOf(tree: RatchetTree): MlsMember[] {
  const members: MlsMember[] = [];
  for (const [nodeIndex, node] of tree.entries()) {
    if (node?.nodeType !== nodeTypes.leaf || !('identity' in node.leaf.credential)) continue;
    try {
      const credential = decodeDeviceCredential(node.leaf.credential.identity);
      members.push({
        leafIndex: nodeIndex / 2,
        userId: credential.userId,
        deviceId: credential.deviceId,
        signatureKey: node.leaf.signaturePublicKey,
      });
    } catch {
      continue;
    }
  }
  return members;
}

export function memberAt(tree: RatchetTree, leafIndex: number): MlsMember | undefined {
  return membersOf(tree).find((m) => m.leafIndex === leafIndex);
}

/** Leaves that appeared and disappeared between two trees (a leaf re-used by another device counts as both). */
export function diffMembers(
  before: readonly MlsMember[],
  after: readonly MlsMember[],
): { added: MlsMember[]; removed: MlsMember[] } {
  const key = (m: MlsMember): string => `${String(m.leafIndex)}/${m.userId}/${m.deviceId}`;
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return {
    added: after.filter((m) => !beforeKeys.has(key(m))),
    removed: before.filter((m) => !afterKeys.has(key(m))),
  };
}

/**
 * The leaf whose application ratchet a decryption advanced, i.e. the sender of that application message.
 *
 * Why this exists: ts-mls 2.0.0-rc.10 decrypts the sender data, checks the sender leaf's signature, and then
 * returns only the plaintext, not the sender. The library treats state as immutable and replaces exactly the
 * secret-tree leaf of the sender (`createRatchetResultWithSecret`), so comparing the secret trees before and
 * after names the sender the library verified. If a later ts-mls returns the sender leaf index from
 * `processMessage`, use that instead.
 */
export function advancedLeaf(before: SecretTree, after: SecretTree): number | undefined {
  const changed = Object.keys(after.leafNodes)
    .map(Number)
    .filter((nodeIndex) => before.leafNodes[nodeIndex] !== after.leafNodes[nodeIndex]);
  return changed.length === 1 && changed[0] !== undefined ? changed[0] / 2 : undefined;
}
