/**
 * The official IETF MLS test vectors, part 3: a joiner opens a Welcome (welcome.json) and passive clients
 * follow a group epoch by epoch (passive-client-*.json). Cross-checked with the library's default provider only
 * where that stays cheap.
 */
import { describeVectorFiles } from './harness.js';
import { checkPassiveClient, checkWelcome } from './checks-group.js';

describeVectorFiles('IETF MLS vectors: Welcome and passive clients', [
  { file: 'welcome.json', perSuite: checkWelcome, crossCheck: true },
  { file: 'passive-client-welcome.json', perSuite: checkPassiveClient, crossCheck: false },
  { file: 'passive-client-handling-commit.json', perSuite: checkPassiveClient, crossCheck: false },
  { file: 'passive-client-random.json', perSuite: checkPassiveClient, crossCheck: true },
]);
