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
  },
  server: {
    proxy: { '/api': { target: 'http://localhost:8080', ws: true } },
  },
});
