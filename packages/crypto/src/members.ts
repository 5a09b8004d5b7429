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
  // Leaves sit at the even node indices.
  for (let nodeIndex = 0; nodeIndex < tree.length; nodeIndex += 2) {
    const member = memberAt(tree, nodeIndex / 2);
    if (member !== undefined) members.push(member);
  }
  return members;
}

/**
 * The member at one leaf. Reads that leaf only: it runs for every application message received (to name the
 * sender), so it must not cost O(N) — decoding every leaf's credential made decryption ~10× slower at 1,000
 * members.
 */
export function memberAt(tree: RatchetTree, leafIndex: number): MlsMember | undefined {
  const node = Number.isSafeInteger(leafIndex) && leafIndex >= 0 ? tree[leafIndex * 2] : undefined;
  if (node?.nodeType !== nodeTypes.leaf || !('identity' in node.leaf.credential)) return undefined;
  try {
    const credential = decodeDeviceCredential(node.leaf.credential.identity);
    return {
      leafIndex,
      userId: credential.userId,
      deviceId: credential.deviceId,
      signatureKey: node.leaf.signaturePublicKey,
    };
  } catch {
    return undefined;
  }
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
