import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { requirePermission } from '../../domain/policy.js';
import { resolveSessionToken } from '../../domain/queries/sessions.js';
import type { Services } from '../../domain/services.js';

export const SESSION_COOKIE = 'enlets_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer ([A-Za-z0-9_-]{20,128})$/;

/** The session token of a request and how it came: a bearer header wins over the cookie. */
function sessionToken(request: FastifyRequest): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (match?.[1] === undefined) throw new DomainError('UNAUTHENTICATED', 'malformed Authorization header');
    return { token: match[1], via: 'bearer' };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie !== undefined && /^[A-Za-z0-9_-]{20,128}$/.test(cookie)) return { token: cookie, via: 'cookie' };
  return undefined;
}

/**
 * Runs before the body is read: resolves the session into `request.actor`, and enforces the route's declared
 * access, so an anonymous or unauthorized caller learns nothing from validation errors. Cookie-authenticated
 * writes must come from our own origin (with SameSite=Strict cookies, a second CSRF defence).
 */
export function registerAuth(app: FastifyInstance, services: Services): void {
  app.decorateRequest('actor', undefined);
  const ownOrigin = new URL(services.config.publicUrl).origin;

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') {
      // Public routes still learn who is calling when a valid session comes along (e.g. setup status).
      const found = safeToken(request);
      if (found) request.actor = await resolveSessionToken(services, found.token);
      return;
    }
    const found = sessionToken(request);
    if (found === undefined) throw new DomainError('UNAUTHENTICATED', 'sign in first');
    const actor = await resolveSessionToken(services, found.token);
    if (actor === undefined) throw new DomainError('UNAUTHENTICATED', 'the session has ended; sign in again');
    if (found.via === 'cookie' && !SAFE_METHODS.has(request.method) && request.headers.origin !== ownOrigin) {
      throw new DomainError('ORIGIN_MISMATCH', 'cross-origin write refused');
    }
    request.actor = actor;
    if (access !== 'authenticated') requirePermission(actor, access);
  });
}

function safeToken(request: FastifyRequest): { token: string } | undefined {
  try {
    return sessionToken(request);
  } catch {
    return undefined;
  }
}
