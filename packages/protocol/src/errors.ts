/**
 * The one catalogue of error codes on the wire. Codes are stable and never reused; `docs/errors.md` is
 * generated from this table (`npm run gen`). The HTTP status for each code lives in the server's error mapper.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'The request body, query or path did not match the schema (see details.issues).',
  MALFORMED_JSON: 'The body is not valid JSON.',
  INVALID_ENCODING: 'The body is not valid UTF-8.',
  FORBIDDEN_KEY: 'The body contains a forbidden key such as __proto__ or constructor.prototype.',
  PAYLOAD_TOO_LARGE: 'The body is larger than the limit for this route.',
  UNSUPPORTED_MEDIA_TYPE: 'The Content-Type is not accepted by this route (JSON bodies only).',
  ROUTE_NOT_FOUND: 'No route matches this method and path.',
  NOT_FOUND: 'The object does not exist, or the caller may not know that it exists.',
  UNAUTHENTICATED: 'A valid session is required.',
  FORBIDDEN: 'The caller is authenticated but the policy does not allow this action.',
  ORIGIN_MISMATCH: 'A cookie-authenticated write came from another origin.',
  INVALID_CREDENTIALS: 'The e-mail address or password is wrong.',
  SECOND_FACTOR_REQUIRED: 'The password was right; a TOTP code or recovery code is required as well.',
  SECOND_FACTOR_INVALID: 'The TOTP code or recovery code is wrong, expired or already used.',
  LOGIN_THROTTLED:
    'Too many failed logins for this account or address; retry after details.retryAfterSeconds.',
  RATE_LIMITED: 'Too many requests; retry after details.retryAfterSeconds.',
  TOKEN_INVALID: 'The link or token is unknown, expired or already used.',
  PASSWORD_TOO_WEAK: 'The new password does not meet the password policy (details.reason).',
  SETUP_ALREADY_DONE: 'The first administrator exists already.',
  TOTP_ALREADY_ENABLED: 'Two-factor authentication is enabled already; disable it first.',
  TOTP_NOT_ENABLED: 'Two-factor authentication is not enabled on this account.',
  SECOND_FACTOR_ENROLMENT_REQUIRED: 'This deployment requires a second factor at activation.',
  ACCOUNT_NOT_ACTIVE: 'The account is suspended, removed or not yet activated.',
  APPLICATION_NOT_PENDING: 'The application has already been decided or is not yet verified.',
  CONFLICT_SELF_VETTING: 'Nobody may decide their own application.',
  CONFLICT: 'The request conflicts with the current state (details.reason).',
  UNKNOWN_COUNTRY: 'The country code is not one of the network countries.',
  UNKNOWN_AGENCY: 'The agency does not exist in the given country.',
  RESYNC_REQUIRED:
    'The sync token is too old or from another version: reload the conversation list and start afresh.',
  CONVERSATION_READ_ONLY: 'Only the managers may post here (read-only channel or broadcast).',
  TLP_VIOLATION: 'The handling marking (TLP) does not allow this; details.rule says which rule applied.',
  INVALID_REFERENCE: 'The referenced message does not exist, is not visible to you, or cannot be acted on.',
  QUOTA_EXCEEDED:
    'The file is larger than the per-file limit, or it would exceed the user’s or the conversation’s storage quota (details.quota, limitBytes, usedBytes, requestedBytes).',
  UPLOAD_INCOMPLETE:
    'Chunks of the upload are still missing (details.missingChunks); send them, then complete again.',
  RANGE_NOT_SATISFIABLE: 'The requested byte range lies outside the blob (details.size).',
  E2EE_IDENTITY_REQUIRED:
    'Register your identity key (PUT /e2ee/identity) before uploading key packages or device lists.',
  E2EE_IDENTITY_EXISTS: 'An identity key is registered already; it changes only through an identity reset.',
  DEVICE_LIST_INVALID:
    'The device list is not signed by your identity key or names another user (details.reason).',
  DEVICE_LIST_STALE: 'The device list version is not above the stored one (details.version).',
  KEY_PACKAGE_INVALID:
    'A KeyPackage is malformed, of another cipher suite, expired, or its credential is not your device signed by your identity key (details.reason, details.index).',
  MLS_INVALID_MESSAGE:
    'The MLS bytes are malformed, of the wrong kind, or for another group or epoch (details.reason).',
  MLS_GROUP_EXISTS: 'The conversation has an MLS group already; join it or commit to it.',
  MLS_GROUP_NOT_FOUND: 'The conversation has no MLS group yet; its first device creates it.',
  MLS_EPOCH_MISMATCH:
    'Another commit was accepted at this epoch first: process the commits at details.missedSeqs, then retry at details.epoch.',
  MLS_PROPOSAL_NOT_ALLOWED:
    'The commit carries a proposal the Delivery Service refuses (by reference, ReInit, PSK, GroupContextExtensions, Update; details.proposal).',
  MLS_MEMBER_NOT_ALLOWED:
    'The commit adds, removes or is sent by a device the conversation’s membership rules do not allow (details.reason).',
  MLS_GROUP_INFO_MISMATCH:
    'The GroupInfo does not match the commit: epoch, group, signer or ratchet-tree leaves (details.reason).',
  MLS_MESSAGE_REQUIRED:
    'The conversation is end-to-end encrypted: what you send must be an MLS PrivateMessage of its group (a client without encryption cannot write here).',
  MLS_COMMIT_REQUIRED:
    'The conversation’s group still holds devices that may no longer read it (a member left or was removed, a device signed out): commit the removal of the leaves at details.leafIndexes, then send again.',
  MLS_LARGE_GROUP_MANAGERS_ONLY:
    'In a large group only its owner and managers add or remove devices, in batches; a device waits for their Welcome instead of joining by external commit (details.action, details.memberThreshold).',
  MLS_SELF_UPDATE_TOO_SOON:
    'Your device committed a self-update in this large group recently; commit the next one after details.retryAfterMs.',
  E2EE_BACKUP_NOT_FOUND: 'You have no recovery backup on the server yet.',
  E2EE_BACKUP_VERSION_MISMATCH:
    'The recovery backup was replaced since you last read it (details.version is the stored version); read it and decide again.',
  E2EE_BACKUP_INVALID:
    'The bytes are not a recovery backup of yours in a format the server accepts (details.reason).',
  HISTORY_SHARING_OFF:
    'History for newcomers is off in this conversation: earlier messages are not shared with newcomers, and the server records no share. Its owner or managers can turn it on.',
  HISTORY_SHARE_INVALID:
    'The history share names no other current member, or a seq range outside the conversation or outside what you may see (details.reason: recipient or range).',
  PASSKEY_CHALLENGE_INVALID:
    'The passkey ceremony is unknown, expired or already finished (challenges are single-use and short-lived): start again.',
  PASSKEY_VERIFICATION_FAILED:
    'The passkey response did not verify: wrong site (origin or RP ID), bad signature or attestation, or the authenticator did not verify the user (details.reason).',
  PASSKEY_UNKNOWN: 'No account has this passkey (it may have been removed): sign in another way.',
  PASSKEY_CLONE_SUSPECTED:
    'The passkey’s signature counter went backwards, so a copy of it may exist: it no longer signs in. Sign in another way, remove it and add a new one.',
  PUSH_ENDPOINT_NOT_ALLOWED:
    'The push subscription’s endpoint is not a push service the server will contact: it must be https on a public host name and the default port (details.reason).',
  INTERNAL: 'An unexpected server error; the requestId identifies it in the logs.',
  SERVICE_UNAVAILABLE: 'The server is shutting down or not ready.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error shape on the wire. `message` is for humans; clients branch on `code`. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
    readonly requestId: string;
  };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
