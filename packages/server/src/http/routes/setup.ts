import { SetupRequest, SetupStatusResponse, StrictObject, UserId } from '@enlets/protocol';
import { completeSetup, needsSetup } from '../../domain/actions/setup.js';
import type { Services } from '../../domain/services.js';
import type { App } from '../types.js';

export function setupRoutes(app: App, services: Services): void {
  app.get(
    '/setup',
    {
      config: { access: 'public' },
      schema: {
        tags: ['setup'],
        summary: 'Whether the first administrator still has to be created',
        response: { 200: SetupStatusResponse },
      },
    },
    async () => ({ needsSetup: await needsSetup(services) }),
  );

  app.post(
    '/setup',
    {
      config: { access: 'public', rateFamily: 'public_form' },
      schema: {
        tags: ['setup'],
        summary: 'Create the first Secretariat admin with the one-time link printed on first start',
        body: SetupRequest,
        response: { 201: StrictObject({ userId: UserId.Schema }) },
      },
    },
    async (request, reply) => {
      const { token, ...admin } = request.body;
      const userId = await completeSetup(services, token, admin);
      return reply.status(201).send({ userId });
    },
  );
}
