// Initial JavaScript of the web client, gzipped, against the budget of issue #5 (250 KB): everything the
// browser must fetch and run before the first screen, that is the entry script and the chunks index.html
// preloads. Lazily imported chunks are listed apart; they do not count.
//
// Usage: node --conditions=source --import tsx bench/web/bundle-size.ts [dist-dir]
// Without a directory it builds the client from its sources into a temporary one first.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const BUDGET_BYTES = 250_000;
const WEB_ROOT = new URL('../../packages/web', import.meta.url).pathname;

async function builtClient(): Promise<{ dir: string; cleanup: () => void }> {
  const given = process.argv[2];
  if (given !== undefined) return { dir: given, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'enlets-web-bench-'));
  await build({
    root: WEB_ROOT,
    configFile: join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const gzipped = (path: string): number => gzipSync(readFileSync(path), { level: 9 }).length;
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

const { dir, cleanup } = await builtClient();
try {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const initial = [
    ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
  ].map((match) => match[1] ?? '');
  const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+\.css)"/g)].map(
    (match) => match[1] ?? '',
  );
  const lazy = readdirSync(join(dir, 'assets'))
    .filter((name) => name.endsWith('.js') && !initial.includes(`assets/${name}`))
    .map((name) => `assets/${name}`);

  let total = 0;
  console.log('initial JavaScript (gzip -9):');
  for (const file of initial) {
    const size = gzipped(join(dir, file));
    total += size;
    console.log(`  ${file.padEnd(40)} ${kb(size)}`);
  }
  for (const file of styles) console.log(`  (css) ${file.padEnd(34)} ${kb(gzipped(join(dir, file)))}`);
  for (const file of lazy) console.log(`  (lazy) ${file.padEnd(33)} ${kb(gzipped(join(dir, file)))}`);
  const verdict = total <= BUDGET_BYTES ? 'within' : 'OVER';
  console.log(`initial JS: ${kb(total)} of ${kb(BUDGET_BYTES)} budget (${verdict})`);
  if (total > BUDGET_BYTES) process.exitCode = 1;
} finally {
  cleanup();
}
