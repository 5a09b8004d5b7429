import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';
import type { RateFamily } from '../types.js';

/**
 * Requests per minute per client address, by route family. Login and the public forms (apply, reset) are
 * far tighter than ordinary routes; the login throttle in the domain adds per-account limits on top.
 * The counters are per process (a cluster bus-backed store comes with cluster mode).
 */
function limitFor(family: RateFamily, services: Services): number {
  switch (family) {
    case 'login':
      return Math.max(1, Math.floor(services.config.rateLimitPerMinute / 20));
    case 'public_form':
      return Math.max(1, Math.floor(services.config.rateLimitPerMinute / 60));
    case 'default':
      return services.config.rateLimitPerMinute;
  }
}

export async function registerRateLimit(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    max: (request) => limitFor(request.routeOptions.config.rateFamily ?? 'default', services),
    keyGenerator: (request) => `${request.routeOptions.config.rateFamily ?? 'default'}:${request.ip}`,
    errorResponseBuilder: (_request, context) => {
      const retryAfterSeconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new DomainError('RATE_LIMITED', 'too many requests', { retryAfterSeconds });
    },
  });
}
