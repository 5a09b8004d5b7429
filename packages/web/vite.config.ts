import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** Text files worth compressing; small ones are sent as they are. */
const COMPRESSIBLE = /\.(?:js|css|html|svg|webmanifest|json)$/;
const MIN_COMPRESSED_BYTES = 1024;

/**
 * Writes a Brotli (`.br`) and a gzip (`.gz`) copy next to each text file of the build, compressed once at the
 * highest levels, which the server sends to browsers that accept them (`preCompressed` in
 * packages/server/src/http/web-client.ts): a phone on a slow link fetches about a third of the bytes.
 */
function precompress(): Plugin {
  return {
    name: 'enlets-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const fileName of Object.keys(bundle)) {
        if (!COMPRESSIBLE.test(fileName)) continue;
        const path = join(dir, fileName);
        const bytes = readFileSync(path);
        if (bytes.length < MIN_COMPRESSED_BYTES) continue;
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(bytes, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
            },
          }),
        );
        writeFileSync(`${path}.gz`, gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }));
      }
    },
  };
}

/**
 * The web client's build. `source` resolves the workspace packages (`@enlets/client`, `@enlets/protocol`) to
 * their TypeScript sources, so the client needs no prior `tsc` build of them. In development, `/api` (HTTP and
 * the realtime socket) goes to a server started with `npm run dev` at the root.
 */
export default defineConfig({
  plugins: [react(), precompress()],
  resolve: { conditions: ['source'] },
  // The secure worker (ADR 0014) is an ES module like the page; it is started with `type: 'module'`.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser we support has module preloading; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    sourcemap: true,
    rolldownOptions: {
      // The service worker is an entry of its own at a fixed URL (/sw.js): its scope is the whole app.
      input: {
        index: 'index.html',
        // Absolute: test pages built with this config from another root get the same service worker entry.
        sw: fileURLToPath(new URL('./src/pwa/service-worker.ts', import.meta.url)),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    proxy: { '/api': { target: 'http://localhost:8080', ws: true } },
  },
});
