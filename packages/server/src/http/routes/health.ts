import { HealthResponse, ReadyResponse } from '@enlets/protocol';
import { checkReadiness } from '../../domain/queries/health.js';
import type { Services } from '../../domain/services.js';
import type { App } from '../types.js';

export const SERVER_VERSION = '0.1.0';

export function healthRoutes(app: App, services: Services, isShuttingDown: () => boolean): void {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: HealthResponse },
      },
    },
    () => ({ status: 'ok' as const, version: SERVER_VERSION }),
  );

  app.get(
    '/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: database reachable and schema current; 503 while starting or shutting down',
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    async (_request, reply) => {
      const checks = await checkReadiness(services);
      const ready = checks.database && checks.migrations && !isShuttingDown();
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
}
