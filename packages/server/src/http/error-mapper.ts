import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@enlets/protocol';
import { DomainError } from '../domain/errors.js';

/** The only table from error code to HTTP status. `docs/errors.md` is generated from it and the catalogue. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  INVALID_ENCODING: 400,
  FORBIDDEN_KEY: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ROUTE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ORIGIN_MISMATCH: 403,
  INVALID_CREDENTIALS: 401,
  SECOND_FACTOR_REQUIRED: 401,
  SECOND_FACTOR_INVALID: 401,
  LOGIN_THROTTLED: 429,
  RATE_LIMITED: 429,
  TOKEN_INVALID: 400,
  PASSWORD_TOO_WEAK: 400,
  SETUP_ALREADY_DONE: 409,
  TOTP_ALREADY_ENABLED: 409,
  TOTP_NOT_ENABLED: 409,
  SECOND_FACTOR_ENROLMENT_REQUIRED: 400,
  ACCOUNT_NOT_ACTIVE: 403,
  APPLICATION_NOT_PENDING: 409,
  CONFLICT_SELF_VETTING: 403,
  CONFLICT: 409,
  UNKNOWN_COUNTRY: 400,
  UNKNOWN_AGENCY: 400,
  RESYNC_REQUIRED: 410,
  CONVERSATION_READ_ONLY: 403,
  TLP_VIOLATION: 403,
  INVALID_REFERENCE: 400,
  QUOTA_EXCEEDED: 413,
  UPLOAD_INCOMPLETE: 409,
  RANGE_NOT_SATISFIABLE: 416,
  E2EE_IDENTITY_REQUIRED: 409,
  E2EE_IDENTITY_EXISTS: 409,
  DEVICE_LIST_INVALID: 400,
  DEVICE_LIST_STALE: 409,
  KEY_PACKAGE_INVALID: 400,
  MLS_INVALID_MESSAGE: 400,
  MLS_GROUP_EXISTS: 409,
  MLS_GROUP_NOT_FOUND: 404,
  MLS_EPOCH_MISMATCH: 409,
  MLS_PROPOSAL_NOT_ALLOWED: 422,
  MLS_MEMBER_NOT_ALLOWED: 422,
  MLS_GROUP_INFO_MISMATCH: 422,
  MLS_MESSAGE_REQUIRED: 422,
  MLS_COMMIT_REQUIRED: 409,
  MLS_LARGE_GROUP_MANAGERS_ONLY: 403,
  MLS_SELF_UPDATE_TOO_SOON: 429,
  E2EE_BACKUP_NOT_FOUND: 404,
  E2EE_BACKUP_VERSION_MISMATCH: 409,
  E2EE_BACKUP_INVALID: 400,
  HISTORY_SHARING_OFF: 409,
  HISTORY_SHARE_INVALID: 422,
  PASSKEY_CHALLENGE_INVALID: 400,
  PASSKEY_VERIFICATION_FAILED: 400,
  PASSKEY_UNKNOWN: 401,
  PASSKEY_CLONE_SUSPECTED: 401,
  PUSH_ENDPOINT_NOT_ALLOWED: 422,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
};

export function errorBody(
  code: ErrorCode,
  requestId: string,
  message: string = ERROR_CODES[code],
  details?: Readonly<Record<string, unknown>>,
): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId } };
}

/** Fastify's own error codes that are the client's fault, mapped into our catalogue. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'ROUTE_NOT_FOUND',
  FST_ERR_MAX_PARAM_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_ASYNC_CONSTRAINT: 'ROUTE_NOT_FOUND',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

export function handleError(
  error: FastifyError | DomainError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error instanceof DomainError) {
    const status = HTTP_STATUS[error.code];
    const retryAfter = error.details?.['retryAfterSeconds'];
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(status).send(errorBody(error.code, request.id, error.message, error.details));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation !== undefined) {
    const issues = fastifyError.validation.slice(0, 10).map((v) => ({
      path: `${fastifyError.validationContext ?? ''}${v.instancePath}`,
      message: v.message ?? 'invalid',
    }));
    void reply
      .status(400)
      .send(errorBody('VALIDATION_FAILED', request.id, 'the request does not match the schema', { issues }));
    return;
  }
  const mapped = FASTIFY_CODES[fastifyError.code];
  if (mapped !== undefined) {
    void reply.status(HTTP_STATUS[mapped]).send(errorBody(mapped, request.id));
    return;
  }
  const status = fastifyError.statusCode ?? 500;
  if (status === 429) {
    void reply.status(429).send(errorBody('RATE_LIMITED', request.id, ERROR_CODES.RATE_LIMITED));
    return;
  }
  if (status >= 400 && status < 500) {
    // A client error Fastify raised that has no code of ours yet: still a 4xx, never a 500.
    request.log.info({ fastifyCode: fastifyError.code }, 'unmapped client error');
    void reply.status(400).send(errorBody('VALIDATION_FAILED', request.id, 'the request is malformed'));
    return;
  }
  // Anything else is our bug: the stack goes to the log only, the client gets the request id to quote.
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500).send(errorBody('INTERNAL', request.id));
}
