/**
 * The SDK every client (web, CLI, bots) uses to talk to an ENLETS server. Isomorphic: it uses only `fetch`.
 */
export {
  EnletsHttpClient,
  EnletsApiError,
  type ClientOptions,
  type FetchLike,
  type MeResponse,
} from './api/http.js';
