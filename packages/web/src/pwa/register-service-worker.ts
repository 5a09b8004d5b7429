import { serviceWorkerScriptUrl } from '../e2ee/worker-url.js';

/**
 * Installs the service worker that lets the app start offline (src/pwa/service-worker.ts). Only in a build:
 * the development server serves modules, not /sw.js. A browser without service workers simply does without.
 */
export function registerServiceWorker(): void {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register(serviceWorkerScriptUrl(), { scope: '/', type: 'module' })
      .catch(() => undefined);
  });
}
