import { EnletsHttpClient } from '@enlets/client';
import { cookieFetch } from './cookie-transport.js';

/** The page's own origin: the web client is served by the server it talks to. */
export function serverOrigin(): string {
  return window.location.origin;
}

/** Calls to the API with the session cookie (sign-in, /me, sign-out). */
export function cookieHttpClient(): EnletsHttpClient {
  return new EnletsHttpClient({ baseUrl: serverOrigin(), fetch: cookieFetch });
}
