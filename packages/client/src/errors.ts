import { EnletsApiError } from './api/http.js';

/** What a failed attempt to reach the server means for the caller. */
export type FailureKind = 'transient' | 'signedOut' | 'permanent';

/** Codes worth retrying: the same bytes may succeed later. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'NETWORK',
  'INTERNAL',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
]);
/** Codes that end the session: retrying cannot help until the user signs in again. */
const SIGNED_OUT_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'ACCOUNT_NOT_ACTIVE']);

/**
 * Sorts a failure: network trouble, 5xx and rate limits are transient; an ended session stops everything; any
 * other catalogued 4xx (NOT_FOUND, VALIDATION_FAILED, TLP_VIOLATION, CONVERSATION_READ_ONLY, …) is the
 * server's final word on this request. Errors that are not from the server (a bug, a dropped socket) count as
 * transient, so nothing is dropped on a client-side surprise.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof EnletsApiError)) return 'transient';
  if (SIGNED_OUT_CODES.has(error.code)) return 'signedOut';
  if (TRANSIENT_CODES.has(error.code) || error.status >= 500) return 'transient';
  return 'permanent';
}

/** The realtime connection was closed by the server because the session ended (close code 4401 or 4403). */
export class SessionEndedError extends Error {
  override readonly name = 'SessionEndedError';
  constructor(readonly closeCode: number) {
    super(`the session has ended (close code ${String(closeCode)})`);
  }
}
