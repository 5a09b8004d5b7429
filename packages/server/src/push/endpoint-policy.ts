import { isIP } from 'node:net';
import { MAX_PUSH_ENDPOINT_LENGTH } from '@enlets/protocol';

/** Why a push endpoint is refused (the `reason` of PUSH_ENDPOINT_NOT_ALLOWED). */
export type EndpointRefusal =
  'not_a_url' | 'too_long' | 'not_https' | 'credentials' | 'ip_address' | 'local_name' | 'port' | 'fragment';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether the server may POST to this push endpoint. The URL comes from a browser, i.e. from the user: the
 * server must not become a way to reach hosts it can see and the user cannot (SSRF). Every real push service
 * (Google, Mozilla, Apple, Microsoft, self-hosted autopush) is https on a public DNS name and port 443, so that
 * is all we accept: no IP literals, no single-label or `.local`/`.localhost`/`.internal` names, no other port,
 * no user:password@. With `allowLoopbackHttp` (tests and development only) plain http to 127.0.0.1,
 * localhost or [::1] is accepted too, so a test's push service never leaves the machine.
 */
export function checkPushEndpoint(endpoint: string, allowLoopbackHttp: boolean): EndpointRefusal | undefined {
  if (endpoint.length > MAX_PUSH_ENDPOINT_LENGTH) return 'too_long';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'not_a_url';
  }
  if (url.username !== '' || url.password !== '') return 'credentials';
  if (url.hash !== '') return 'fragment';
  if (allowLoopbackHttp && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  if (url.protocol !== 'https:') return 'not_https';
  // URL has normalised the default port away: anything left is another port.
  if (url.port !== '') return 'port';
  const host = url.hostname.toLowerCase();
  if (isIP(host) !== 0 || host.startsWith('[')) return 'ip_address';
  if (
    !host.includes('.') ||
    host.endsWith('.') ||
    /\.(?:local|localhost|internal|lan|home|arpa)$/.test(host) ||
    host === 'localhost'
  ) {
    return 'local_name';
  }
  return undefined;
}

/** The push service's origin, for logs: never the path (it is the subscription's capability) nor the keys. */
export function pushServiceOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return '(unparsable endpoint)';
  }
}
