import {
  AgencyListQuery,
  AgencyListResponse,
  AgencyResponse,
  CoreGroupResponse,
  CountryDetail,
  CountryListResponse,
  CountryParams,
  CreateAgencyRequest,
} from '@enlets/protocol';
import { createAgency } from '../../domain/actions/agencies.js';
import {
  getCountryDetail,
  listAgenciesView,
  listCoreGroup,
  listCountriesView,
} from '../../domain/queries/directory.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

/** Countries, agencies and the Core Group. The member directory lives in `members.ts`. */
export function directoryRoutes(app: App, services: Services): void {
  app.get(
    '/countries',
    {
      config: { access: 'public' },
      schema: {
        tags: ['directory'],
        summary: 'The network countries (public: the application form lists them)',
        response: { 200: CountryListResponse },
      },
    },
    async () => ({ countries: [...(await listCountriesView(services))] }),
  );

  app.get(
    '/countries/:code',
    {
      config: { access: 'directory.read' },
      schema: {
        tags: ['directory'],
        summary: 'A country with its National Contact Points and agencies',
        params: CountryParams,
        response: { 200: CountryDetail },
      },
    },
    async (request) => getCountryDetail(services, request.params.code),
  );

  app.get(
    '/agencies',
    {
      config: { access: 'public' },
      schema: {
        tags: ['directory'],
        summary: 'Agencies, optionally of one country (public: the application form lists them)',
        querystring: AgencyListQuery,
        response: { 200: AgencyListResponse },
      },
    },
    async (request) => ({ agencies: [...(await listAgenciesView(services, request.query.countryCode))] }),
  );

  app.post(
    '/agencies',
    {
      config: { access: 'agencies.manage' },
      schema: {
        tags: ['directory'],
        summary:
          'Add an agency (an NCP only in their own country: FORBIDDEN otherwise; a duplicate: CONFLICT)',
        body: CreateAgencyRequest,
        response: { 201: AgencyResponse },
      },
    },
    async (request, reply) => {
      const agency = await createAgency(services, actorOf(request), request.body);
      return reply.status(201).send({ agency });
    },
  );

  app.get(
    '/core-group',
    {
      config: { access: 'directory.read' },
      schema: {
        tags: ['directory'],
        summary: 'The members of the Core Group',
        response: { 200: CoreGroupResponse },
      },
    },
    async () => ({ members: [...(await listCoreGroup(services))] }),
  );
}
