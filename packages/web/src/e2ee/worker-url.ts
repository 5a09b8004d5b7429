import secureWorkerUrl from './secure-worker.ts?worker&url';

/**
 * The page runs under Trusted Types (`require-trusted-types-for 'script'`): a script URL reaches `new Worker`
 * only through a named policy the CSP allows. This one, `enlets-worker`, passes exactly one URL — the secure
 * worker Vite built with the page — and refuses any other, so an injected string can never start a worker.
 */
interface ScriptUrlPolicy {
  createScriptURL(input: string): unknown;
}
interface TrustedTypesFactory {
  createPolicy(name: string, rules: { createScriptURL(input: string): string }): ScriptUrlPolicy;
}

export const WORKER_POLICY = 'enlets-worker';

let policy: ScriptUrlPolicy | undefined;

/** The secure worker's script URL, as a TrustedScriptURL where the browser enforces Trusted Types. */
export function secureWorkerScriptUrl(): string | URL {
  const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  if (factory === undefined) return secureWorkerUrl;
  policy ??= factory.createPolicy(WORKER_POLICY, {
    createScriptURL(input) {
      if (input !== secureWorkerUrl) throw new TypeError(`refusing to start a worker from ${input}`);
      return input;
    },
  });
  // A TrustedScriptURL: the Worker constructor accepts it where the DOM typings only know strings and URLs.
  return policy.createScriptURL(secureWorkerUrl) as string;
}
