import { ActivationInfoResponse, ActivationRequest, ActivationResponse, TokenParams } from '@enlets/protocol';
import { activateAccount, describeActivation } from '../../domain/actions/activation.js';
import type { Services } from '../../domain/services.js';
import type { App } from '../types.js';
import { originOf, sessionAnswer } from './auth.js';

export function activationRoutes(app: App, services: Services): void {
  app.get(
    '/activation/:token',
    {
      config: { access: 'public', rateFamily: 'public_form' },
      schema: {
        tags: ['auth'],
        summary: 'What an invitation link is for (does not use the link up)',
        params: TokenParams,
        response: { 200: ActivationInfoResponse },
      },
    },
    (request) => describeActivation(services, request.params.token),
  );

  app.post(
    '/activation',
    {
      config: { access: 'public', rateFamily: 'public_form' },
      schema: {
        tags: ['auth'],
        summary: 'Activate an invited account: set the password, enrol a second factor, sign in',
        body: ActivationRequest,
        response: { 200: ActivationResponse },
      },
    },
    async (request, reply) => {
      const { session, ...input } = request.body;
      const mode = session ?? 'bearer';
      const activated = await activateAccount(services, { ...input, kind: mode }, originOf(request));
      const answer = await sessionAnswer(services, reply, activated, mode);
      return activated.recoveryCodes === undefined
        ? answer
        : { ...answer, recoveryCodes: activated.recoveryCodes };
    },
  );
}
