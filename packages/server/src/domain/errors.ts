import type { ErrorCode } from '@enlets/protocol';

/**
 * A failure the caller should see, by catalogued code. Carries no HTTP: `http/error-mapper.ts` is the only
 * table from code to status, so the domain can be called from the CLI and from tests just the same.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (what = 'object'): DomainError => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (permission: string): DomainError =>
  new DomainError('FORBIDDEN', 'you are not allowed to do this', { permission });
