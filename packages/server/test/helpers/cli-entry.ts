import { join } from 'node:path';

const ROOT = new URL('../../../..', import.meta.url).pathname;

/**
 * The node arguments that run the `enlets` CLI as a child process. When the test runner has built it
 * (`tools/run-tests.mjs` sets ENLETS_TEST_CLI_MAIN to `packages/cli/dist/main.js`), the built CLI runs: what
 * `npm start` runs, and each start skips compiling the sources (tsx takes a second or more per process, which
 * the CLI suites pay hundreds of times). Otherwise the sources run through tsx.
 */
export function cliNodeArgs(): readonly string[] {
  const built = process.env['ENLETS_TEST_CLI_MAIN'];
  if (built !== undefined && built !== '') return [built];
  return ['--conditions=source', '--import', 'tsx', join(ROOT, 'packages/cli/src/main.ts')];
}
