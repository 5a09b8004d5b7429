/**
 * The internals of the ts-mls build we ship, for the IETF vectors. The package exports only its public API, but
 * the vectors test the pieces under it (tree math, key schedule, secret tree, TreeKEM, …), so the test imports
 * the shipped dist modules by file URL: exactly the code the product runs, not a copy and not the sources.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type * as TreeMath from '../../../../node_modules/ts-mls/dist/src/treemath.js';
import type * as VariableLength from '../../../../node_modules/ts-mls/dist/src/codec/variableLength.js';
import type * as Kdf from '../../../../node_modules/ts-mls/dist/src/crypto/kdf.js';
import type * as HashFns from '../../../../node_modules/ts-mls/dist/src/crypto/hash.js';
import type * as SignatureFns from '../../../../node_modules/ts-mls/dist/src/crypto/signature.js';
import type * as HpkeFns from '../../../../node_modules/ts-mls/dist/src/crypto/hpke.js';
import type * as KeySchedule from '../../../../node_modules/ts-mls/dist/src/keySchedule.js';
import type * as GroupContextFns from '../../../../node_modules/ts-mls/dist/src/groupContext.js';
import type * as MessageProtection from '../../../../node_modules/ts-mls/dist/src/messageProtection.js';
import type * as MessageProtectionPublic from '../../../../node_modules/ts-mls/dist/src/messageProtectionPublic.js';
import type * as FramedContent from '../../../../node_modules/ts-mls/dist/src/framedContent.js';
import type * as ProposalFns from '../../../../node_modules/ts-mls/dist/src/proposal.js';
import type * as CommitFns from '../../../../node_modules/ts-mls/dist/src/commit.js';
import type * as SecretTree from '../../../../node_modules/ts-mls/dist/src/secretTree.js';
import type * as Sender from '../../../../node_modules/ts-mls/dist/src/sender.js';
import type * as PresharedKey from '../../../../node_modules/ts-mls/dist/src/presharedkey.js';
import type * as AuthenticatedContent from '../../../../node_modules/ts-mls/dist/src/authenticatedContent.js';
import type * as TranscriptHash from '../../../../node_modules/ts-mls/dist/src/transcriptHash.js';
import type * as RatchetTreeFns from '../../../../node_modules/ts-mls/dist/src/ratchetTree.js';
import type * as TreeHash from '../../../../node_modules/ts-mls/dist/src/treeHash.js';
import type * as LeafNode from '../../../../node_modules/ts-mls/dist/src/leafNode.js';
import type * as ParentHash from '../../../../node_modules/ts-mls/dist/src/parentHash.js';
import type * as UpdatePathFns from '../../../../node_modules/ts-mls/dist/src/updatePath.js';
import type * as CreateCommit from '../../../../node_modules/ts-mls/dist/src/createCommit.js';
import type * as PathSecrets from '../../../../node_modules/ts-mls/dist/src/pathSecrets.js';
import type * as PrivateKeyPath from '../../../../node_modules/ts-mls/dist/src/privateKeyPath.js';
import type * as GroupInfo from '../../../../node_modules/ts-mls/dist/src/groupInfo.js';
import type * as WelcomeFns from '../../../../node_modules/ts-mls/dist/src/welcome.js';
import type * as GroupSecrets from '../../../../node_modules/ts-mls/dist/src/groupSecrets.js';
import type * as Message from '../../../../node_modules/ts-mls/dist/src/message.js';
import type * as Index from '../../../../node_modules/ts-mls/dist/src/index.js';

/** The directory of the installed ts-mls package (wherever npm put it). */
export const LIBRARY_DIR = dirname(dirname(dirname(fileURLToPath(import.meta.resolve('ts-mls')))));

async function internal<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(join(LIBRARY_DIR, 'dist/src', path)).href)) as T;
}

export const mls = {
  index: await internal<typeof Index>('index.js'),
  treeMath: await internal<typeof TreeMath>('treemath.js'),
  variableLength: await internal<typeof VariableLength>('codec/variableLength.js'),
  kdf: await internal<typeof Kdf>('crypto/kdf.js'),
  hash: await internal<typeof HashFns>('crypto/hash.js'),
  signature: await internal<typeof SignatureFns>('crypto/signature.js'),
  hpke: await internal<typeof HpkeFns>('crypto/hpke.js'),
  keySchedule: await internal<typeof KeySchedule>('keySchedule.js'),
  groupContext: await internal<typeof GroupContextFns>('groupContext.js'),
  messageProtection: await internal<typeof MessageProtection>('messageProtection.js'),
  messageProtectionPublic: await internal<typeof MessageProtectionPublic>('messageProtectionPublic.js'),
  framedContent: await internal<typeof FramedContent>('framedContent.js'),
  proposal: await internal<typeof ProposalFns>('proposal.js'),
  commit: await internal<typeof CommitFns>('commit.js'),
  secretTree: await internal<typeof SecretTree>('secretTree.js'),
  sender: await internal<typeof Sender>('sender.js'),
  presharedKey: await internal<typeof PresharedKey>('presharedkey.js'),
  authenticatedContent: await internal<typeof AuthenticatedContent>('authenticatedContent.js'),
  transcriptHash: await internal<typeof TranscriptHash>('transcriptHash.js'),
  ratchetTree: await internal<typeof RatchetTreeFns>('ratchetTree.js'),
  treeHash: await internal<typeof TreeHash>('treeHash.js'),
  leafNode: await internal<typeof LeafNode>('leafNode.js'),
  parentHash: await internal<typeof ParentHash>('parentHash.js'),
  updatePath: await internal<typeof UpdatePathFns>('updatePath.js'),
  createCommit: await internal<typeof CreateCommit>('createCommit.js'),
  pathSecrets: await internal<typeof PathSecrets>('pathSecrets.js'),
  privateKeyPath: await internal<typeof PrivateKeyPath>('privateKeyPath.js'),
  groupInfo: await internal<typeof GroupInfo>('groupInfo.js'),
  welcome: await internal<typeof WelcomeFns>('welcome.js'),
  groupSecrets: await internal<typeof GroupSecrets>('groupSecrets.js'),
  message: await internal<typeof Message>('message.js'),
};
