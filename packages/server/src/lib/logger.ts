import type { LoggerOptions } from 'pino';

/**
 * Paths pino replaces with "[redacted]". Request bodies are never logged, but these cover headers and any
 * object a handler logs by mistake: secrets never reach the logs.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.totpCode',
  '*.totpSecret',
  '*.recoveryCode',
  '*.secret',
  '*.passwordHash',
  '*.smtpUrl',
  '*.databaseUrl',
  '*.busUrl',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: {
      // Only what an operator needs; query strings can hold tokens, so the path is logged without them, and a
      // path segment shaped like a link token (e.g. GET /activation/:token) is masked.
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        path: (req.url.split('?')[0] ?? '').replace(/(^|\/)[A-Za-z0-9_-]{40,}(?=\/|$)/g, '$1[redacted]'),
        id: req.id,
      }),
    },
  };
}
