import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';

const WEB_ROOT = new URL('../..', import.meta.url).pathname;
const PAGE_ROOT = new URL('.', import.meta.url).pathname;

/**
 * Builds the device search test page (the real index and store, on `window`) with the client's own Vite config
 * (its `source` condition and worker settings), into a fresh directory of its own.
 */
export async function buildSearchPage(): Promise<{ readonly dir: string; readonly remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'enlets-search-page-'));
  await build({
    root: PAGE_ROOT,
    configFile: join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
