import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from '@enlets/protocol';

/** `packages/web/dist`, seen from `packages/server/{src,dist}/http/`: where `npm run build` puts the client. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Vite names every file under `assets/` by its content hash: a changed file gets a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: the browser must revalidate it on every load. */
const REVALIDATE = 'no-cache';

/**
 * The web client's Content-Security-Policy: only our own scripts and styles (no inline code, no eval), the
 * API and the realtime socket of our own origin, images from ourselves or generated in the page (blob:, data:).
 * Trusted Types allow one policy, `enlets-worker`, which passes only the URL of the client's own secure worker
 * (packages/web/src/e2ee/worker-url.ts): every HTML-string sink (innerHTML and friends) throws.
 */
export function webClientCsp(publicUrl: string): string {
  const origin = new URL(publicUrl);
  const socketOrigin = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${socketOrigin}`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types enlets-worker',
  ].join('; ');
}

export interface WebClientOptions {
  readonly publicUrl: string;
  /** The built client; the default is `packages/web/dist`. */
  readonly webDir?: string | undefined;
}

/**
 * Serves the built web client at `/`: hashed assets with immutable caching, other top-level files (icons) and,
 * for every other GET outside the API, `index.html` (the client routes in the browser). The API, /health and
 * /ready are registered before and win; unknown `/api/…` paths keep the API's catalogued 404. Without a build
 * the server still runs (API-only) and `/` says how to build the client.
 */
export async function registerWebClient(app: FastifyInstance, options: WebClientOptions): Promise<void> {
  const root = resolve(options.webDir ?? DEFAULT_WEB_DIR);
  const route = { config: { access: 'public' as const }, schema: { hide: true } };
  if (!existsSync(resolve(root, 'index.html'))) {
    app.get('/', route, (_request, reply) =>
      reply
        .status(503)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send(
          `The web client is not built (no ${root}/index.html): run \`npm run build\`.\n` +
            'The API answers at /api/v1; its documentation is at /api/docs.\n',
        ),
    );
    return;
  }

  const csp = webClientCsp(options.publicUrl);
  // The build writes `.br` and `.gz` copies of its text files (packages/web/vite.config.ts): a browser that
  // accepts one gets it (Content-Encoding and Vary set), others the file itself.
  await app.register(fastifyStatic, {
    root,
    serve: false,
    cacheControl: false,
    index: false,
    preCompressed: true,
  });

  const sendIndex = (reply: FastifyReply): FastifyReply =>
    reply.header('content-security-policy', csp).header('cache-control', REVALIDATE).sendFile('index.html');

  app.get('/assets/*', route, (request: FastifyRequest<{ Params: { '*': string } }>, reply) =>
    reply
      .header('content-security-policy', csp)
      .header('cache-control', IMMUTABLE)
      .sendFile(`assets/${request.params['*']}`),
  );

  app.get('/*', route, (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const path = request.params['*'];
    if (`/${path}`.startsWith(`${API_PREFIX}/`) || path === 'api' || path.startsWith('api/')) {
      return reply.callNotFound();
    }
    if (path === '' || path === 'index.html') return sendIndex(reply);
    const topLevelFile = !path.includes('/') && isFile(resolve(root, path));
    if (topLevelFile) {
      return reply.header('content-security-policy', csp).header('cache-control', REVALIDATE).sendFile(path);
    }
    // A missing file (a stale icon link) is a 404, not the app; a client-side route gets the app.
    if (/\.[A-Za-z0-9]+$/.test(path)) return reply.callNotFound();
    return sendIndex(reply);
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
