/**
 * The service worker (served as /sw.js, scope /): it makes the installed app start without a network. It keeps
 * the app shell — index.html and the hashed assets — and nothing else: never an API answer, never message
 * content (that lives encrypted in the secure worker's IndexedDB). Pages: network first, the cached shell when
 * offline. Assets: cache first (their names change with their content). When a new index.html arrives, assets
 * it no longer references are dropped, except the most recent chunks that only code loads (the secure worker).
 * It also shows the generic notice of a Web Push wake-up (src/notifications/service-worker-push.ts).
 */
import { installPushHandlers, SETTINGS_CACHE, type PushScope } from '../notifications/service-worker-push.js';

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  readonly location: { readonly origin: string };
}

const scope = globalThis as unknown as ServiceWorkerScope;
installPushHandlers(globalThis as unknown as PushScope);
const SHELL = 'enlets-shell-v1';
const INDEX = '/index.html';

/** The `/assets/…` files an index.html loads directly (scripts, styles, preloads). */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].flatMap((match) =>
    match[1] === undefined ? [] : [match[1]],
  );
}

async function cacheShell(): Promise<void> {
  const cache = await caches.open(SHELL);
  const response = await fetch('/', { cache: 'no-store' });
  if (!response.ok) return;
  const html = await response.clone().text();
  await cache.put(INDEX, response);
  await cache.addAll(assetsOf(html));
}

scope.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys())
        if (name !== SHELL && name !== SETTINGS_CACHE) await caches.delete(name);
      await scope.clients.claim();
    })(),
  );
});

/** Network first: a fresh shell when online (and the cache refreshed with it), the cached one when not. */
async function page(request: Request): Promise<Response> {
  const cache = await caches.open(SHELL);
  try {
    const response = await fetch(request);
    if (response.ok && response.headers.get('content-type')?.includes('text/html') === true) {
      const html = await response.clone().text();
      await cache.put(INDEX, response.clone());
      await pruneAssets(cache, new Set(assetsOf(html)));
    }
    return response;
  } catch (error) {
    const cached = await cache.match(INDEX);
    if (cached !== undefined) return cached;
    throw error;
  }
}

/** JS chunks loaded by code (the secure worker, lazy chunks) kept across releases: the most recent ones. */
const KEPT_CODE_CHUNKS = 20;

async function pruneAssets(cache: Cache, current: ReadonlySet<string>): Promise<void> {
  const cachedAssets = (await cache.keys()).filter((r) => new URL(r.url).pathname.startsWith('/assets/'));
  const notInIndex = cachedAssets.filter((r) => !current.has(new URL(r.url).pathname));
  // Chunks that only code loads are not in index.html; the oldest go beyond a few releases' worth (the cache
  // lists entries in the order they were added).
  const codeChunks = notInIndex.filter((r) => r.url.endsWith('.js'));
  const stale = [
    ...notInIndex.filter((r) => !r.url.endsWith('.js')),
    ...codeChunks.slice(0, Math.max(0, codeChunks.length - KEPT_CODE_CHUNKS)),
  ];
  await Promise.all(stale.map((r) => cache.delete(r)));
}

async function asset(request: Request): Promise<Response> {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request);
  if (cached !== undefined) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== scope.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') event.respondWith(page(request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(asset(request));
});
