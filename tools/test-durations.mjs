// A node:test reporter that prints, when the run ends, how long each test file took (the sum of its top-level
// tests), slowest first: the figures that say where a CI run's minutes go. Used beside the spec reporter by
// tools/run-tests.mjs, to stderr.
import { relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SHOWN = 25;

export default async function* durations(source) {
  const perFile = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.nesting !== 0 || data.file === undefined) continue;
    const file = relative(root, data.file);
    perFile.set(file, (perFile.get(file) ?? 0) + (data.details?.duration_ms ?? 0));
  }
  const slowest = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  const total = [...perFile.values()].reduce((sum, ms) => sum + ms, 0);
  yield `\n# test files by duration (the ${String(slowest.length)} slowest of ${String(perFile.size)}; ${(total / 60_000).toFixed(1)} min in all)\n`;
  for (const [file, ms] of slowest) yield `#   ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}\n`;
}
