/**
 * The official IETF MLS test vectors, part 2: TreeKEM (treekem.json). Its P-521 and P-384 cases spend most of
 * their time in @hpke/core's key import, which both providers share, so it runs through our provider only.
 */
import { describeVectorFiles } from './harness.js';
import { checkTreeKem } from './checks-tree.js';

describeVectorFiles('IETF MLS vectors: TreeKEM', [
  { file: 'treekem.json', perSuite: checkTreeKem, crossCheck: false },
]);
