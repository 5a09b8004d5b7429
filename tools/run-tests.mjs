#!/usr/bin/env node
// Runs every *.test.ts of the workspace with Node's own test runner (through tsx), two files at a time.
// Usage: node tools/run-tests.mjs [path-filter ...]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = walk(join(root, 'packages'), [])
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Suites that measure time or kill processes run alone afterwards: two files at once on a 2-core machine would
// measure each other (fairness latency), not the server.
const SOLO = ['/reliability/', '/cluster/', 'fairness'];
const solo = files.filter((f) => SOLO.some((s) => f.includes(s)));
const shared = files.filter((f) => !solo.includes(f));

function run(group, concurrency) {
  if (group.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-timeout=300000',
      ...(process.env.CI ? ['--test-reporter=spec', '--test-reporter-destination=stdout'] : []),
      // Where the minutes go: a table of the slowest files after the run (CI keeps it with the output).
      ...(process.env.CI
        ? [`--test-reporter=${join(root, 'tools/test-durations.mjs')}`, '--test-reporter-destination=stderr']
        : []),
      ...group,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  return result.status ?? 1;
}

/**
 * The browser suites all serve the same production build of the web client: build it once here, not once per
 * suite, and hand its directory to them (`buildWebClient` in the web test helpers).
 */
function buildWebClientOnce() {
  if (!files.some((f) => f.startsWith('packages/web/test/'))) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'enlets-web-'));
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--outDir',
      dir,
      '--emptyOutDir',
      '--sourcemap',
      'false',
      '--logLevel',
      'warn',
    ],
    { cwd: join(root, 'packages/web'), stdio: 'inherit' },
  );
  if (result.status !== 0) {
    console.error('building the web client for the browser suites failed');
    process.exit(result.status ?? 1);
  }
  process.env.ENLETS_TEST_WEB_BUILD = dir;
  return dir;
}

/**
 * Suites that start the `enlets` CLI as child processes (the CLI suites, and the server as a real process in the
 * crash, cluster and push suites) run the built CLI: compiling the sources through tsx costs each child a second
 * or more, hundreds of times per run. `tsc -b` is incremental (a few seconds when nothing changed; `npm test` has
 * just run it as its typecheck). When the build fails (work in progress elsewhere in the tree), they fall back
 * to the sources through tsx.
 */
function buildCliOnce() {
  const spawnsCli = files.some((f) => {
    const text = readFileSync(join(root, f), 'utf8');
    return text.includes('/run-cli.js') || text.includes('/spawn-server.js');
  });
  if (!spawnsCli) return;
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (result.status === 0) {
    process.env.ENLETS_TEST_CLI_MAIN = join(root, 'packages/cli/dist/main.js');
    return;
  }
  console.error('building the CLI failed; the suites that start it run its sources through tsx');
}

buildCliOnce();
const webBuild = buildWebClientOnce();
const status = run(shared, 2) || 0;
const soloStatus = run(solo, 1);
if (webBuild !== undefined) rmSync(webBuild, { recursive: true, force: true });
process.exit(status !== 0 ? status : soloStatus);
