import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { API_FEATURE_LEVEL, PROTOCOL_VERSION } from '@enlets/protocol';

/** The OpenAPI document is generated from the route schemas (which come from packages/protocol). */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ENLETS Messenger API',
        version,
        description:
          `Protocol version ${String(PROTOCOL_VERSION)}, feature level ${String(API_FEATURE_LEVEL)}. ` +
          'Every error is `{error:{code,message,details?,requestId}}`; codes are listed in docs/errors.md. ' +
          'Authenticate with the `enlets_session` cookie (web) or `Authorization: Bearer <token>` (CLI, bots).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'enlets_session' },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { deepLinking: false },
  });
}
