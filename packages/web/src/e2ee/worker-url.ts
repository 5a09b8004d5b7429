import secureWorkerUrl from './secure-worker.ts?worker&url';

/**
 * The page runs under Trusted Types (`require-trusted-types-for 'script'`): a script URL reaches `new Worker`
 * or `serviceWorker.register` only through a named policy the CSP allows. This one, `enlets-worker`, passes
 * exactly two URLs — the secure worker Vite built with the page, and the service worker at /sw.js — and refuses
 * any other, so an injected string can never start a worker.
 */
interface ScriptUrlPolicy {
  createScriptURL(input: string): unknown;
}
interface TrustedTypesFactory {
  createPolicy(name: string, rules: { createScriptURL(input: string): string }): ScriptUrlPolicy;
}

export const WORKER_POLICY = 'enlets-worker';

/** The service worker's fixed URL (vite.config.ts names the entry so); its scope is the whole app. */
export const SERVICE_WORKER_URL = '/sw.js';

const ALLOWED: ReadonlySet<string> = new Set([secureWorkerUrl, SERVICE_WORKER_URL]);

let policy: ScriptUrlPolicy | undefined;

/** A script URL the policy allows, as a TrustedScriptURL where the browser enforces Trusted Types. */
function trusted(url: string): string {
  const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  if (factory === undefined) return url;
  policy ??= factory.createPolicy(WORKER_POLICY, {
    createScriptURL(input) {
      if (!ALLOWED.has(input)) throw new TypeError(`refusing to start a worker from ${input}`);
      return input;
    },
  });
  // A TrustedScriptURL: the Worker constructor and `register` accept it where the DOM typings know strings.
  return policy.createScriptURL(url) as string;
}

/** The secure worker's script URL. */
export function secureWorkerScriptUrl(): string {
  return trusted(secureWorkerUrl);
}

/** The service worker's script URL. */
export function serviceWorkerScriptUrl(): string {
  return trusted(SERVICE_WORKER_URL);
}
