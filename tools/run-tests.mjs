#!/usr/bin/env node
// Runs every *.test.ts of the workspace with Node's own test runner (through tsx), two files at a time.
// Usage: node tools/run-tests.mjs [path-filter ...]
import { readdirSync, statSync } from 'node:fs';
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
      ...(process.env.CI ? ['--test-reporter=spec'] : []),
      ...group,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  return result.status ?? 1;
}

const status = run(shared, 2) || 0;
const soloStatus = run(solo, 1);
process.exit(status !== 0 ? status : soloStatus);
