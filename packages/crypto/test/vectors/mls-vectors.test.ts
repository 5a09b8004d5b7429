/**
 * The official IETF MLS test vectors (RFC 9420 interop vectors), part 1: encoding, crypto primitives, key
 * schedule, secret tree, message protection and tree checks. treekem and the group scenarios have their own
 * files so the runner can run them side by side (vectors-treekem, vectors-groups).
 */
import { describeVectorFiles, describeVectorSet } from './harness.js';
import { checkDeserialization, checkMessages, checkTreeMath } from './checks-codec.js';
import {
  checkCryptoBasics,
  checkKeySchedule,
  checkPskSecret,
  checkSecretTree,
  checkTranscriptHashes,
} from './checks-crypto.js';
import { checkMessageProtection } from './checks-protection.js';
import { checkTreeOperations, checkTreeValidation } from './checks-tree.js';

describeVectorSet();

describeVectorFiles('IETF MLS vectors: primitives, key schedule, messages, trees', [
  { file: 'tree-math.json', plain: checkTreeMath },
  { file: 'deserialization.json', plain: checkDeserialization },
  { file: 'messages.json', plain: checkMessages },
  { file: 'crypto-basics.json', perSuite: checkCryptoBasics, crossCheck: true },
  { file: 'key-schedule.json', perSuite: checkKeySchedule, crossCheck: true },
  { file: 'psk_secret.json', perSuite: checkPskSecret, crossCheck: true },
  { file: 'secret-tree.json', perSuite: checkSecretTree, crossCheck: true },
  { file: 'transcript-hashes.json', perSuite: checkTranscriptHashes, crossCheck: true },
  { file: 'message-protection.json', perSuite: checkMessageProtection, crossCheck: true },
  { file: 'tree-operations.json', perSuite: checkTreeOperations, crossCheck: true },
  { file: 'tree-validation.json', perSuite: checkTreeValidation, crossCheck: true },
]);
