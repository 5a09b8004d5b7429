import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The web client's build. `source` resolves the workspace packages (`@enlets/client`, `@enlets/protocol`) to
 * their TypeScript sources, so the client needs no prior `tsc` build of them. In development, `/api` (HTTP and
 * the realtime socket) goes to a server started with `npm run dev` at the root.
 */
export default defineConfig({
  plugins: [react()],
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
