import {
  Accepted,
  ApplicationListQuery,
  ApplicationListResponse,
  ApplicationResponse,
  ApplyRequest,
  ApproveApplicationRequest,
  IdParams,
  RejectApplicationRequest,
  VerifyApplicationRequest,
  VerifyApplicationResponse,
} from '@enlets/protocol';
import {
  applyForMembership,
  approveApplication,
  rejectApplication,
  verifyApplication,
} from '../../domain/actions/applications.js';
import { getApplicationFor, listApplicationsFor } from '../../domain/queries/applications.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

/** Membership applications: the public form and its e-mail check, and vetting by NCPs and the Secretariat. */
export function applicationRoutes(app: App, services: Services): void {
  app.post(
    '/applications',
    {
      config: { access: 'public', rateFamily: 'public_form' },
      schema: {
        tags: ['applications'],
        summary: 'Apply for membership; always 202 whatever the address, the next step comes by e-mail',
        body: ApplyRequest,
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      await applyForMembership(services, request.body);
      return reply.status(202).send({ accepted: true });
    },
  );

  app.post(
    '/applications/verify',
    {
      config: { access: 'public', rateFamily: 'public_form' },
      schema: {
        tags: ['applications'],
        summary: 'Confirm the e-mail address with the token of the verification link',
        body: VerifyApplicationRequest,
        response: { 200: VerifyApplicationResponse },
      },
    },
    async (request) => {
      await verifyApplication(services, request.body.token);
      return { status: 'pending' as const };
    },
  );

  app.get(
    '/applications',
    {
      config: { access: 'applications.vet' },
      schema: {
        tags: ['applications'],
        summary: 'Applications to vet: an NCP sees their countries, the Secretariat all; unverified hidden',
        querystring: ApplicationListQuery,
        response: { 200: ApplicationListResponse },
      },
    },
    async (request) => ({
      applications: [...(await listApplicationsFor(services, actorOf(request), request.query))],
    }),
  );

  app.get(
    '/applications/:id',
    {
      config: { access: 'applications.vet' },
      schema: {
        tags: ['applications'],
        summary: 'One application (NOT_FOUND outside the caller’s countries)',
        params: IdParams,
        response: { 200: ApplicationResponse },
      },
    },
    async (request) => ({
      application: await getApplicationFor(services, actorOf(request), request.params.id),
    }),
  );

  app.post(
    '/applications/:id/approve',
    {
      config: { access: 'applications.vet' },
      schema: {
        tags: ['applications'],
        summary: 'Approve: the applicant gets an account and an invitation to the Messenger by e-mail',
        params: IdParams,
        body: ApproveApplicationRequest,
        response: { 200: ApplicationResponse },
      },
    },
    async (request) => ({
      application: await approveApplication(services, actorOf(request), request.params.id, request.body.note),
    }),
  );

  app.post(
    '/applications/:id/reject',
    {
      config: { access: 'applications.vet' },
      schema: {
        tags: ['applications'],
        summary: 'Reject with a reason, which is e-mailed to the applicant',
        params: IdParams,
        body: RejectApplicationRequest,
        response: { 200: ApplicationResponse },
      },
    },
    async (request) => ({
      application: await rejectApplication(
        services,
        actorOf(request),
        request.params.id,
        request.body.reason,
      ),
    }),
  );
}
