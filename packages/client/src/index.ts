/**
 * The SDK every client (web, CLI, bots) uses to talk to an ENLETS server. Isomorphic: it uses only `fetch`.
 */
export { EnletsHttpClient, EnletsApiError, type ClientOptions } from './api/http.js';
