import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  AgencyListResponse,
  AgencyResponse,
  CountryDetail,
  CountryListResponse,
} from '@enlets/protocol';
import { createActor, type TestActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`http/routes/directory [${dialect}]`, () => {
    let server: TestServer;
    let admin: TestActor;
    let ncpDe: TestActor;
    let member: TestActor;

    before(async () => {
      server = await startTestServer(dialect);
      admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }], countryCode: null });
      ncpDe = await createActor(server, {
        roles: [{ role: 'ncp', scope: 'DE' }],
        countryCode: 'DE',
        displayName: 'Dieter Ncp',
      });
      member = await createActor(server);
    });
    after(() => server.close());

    it('lists the network countries to anyone', async () => {
      const res = await server.api.get<CountryListResponse>('/api/v1/countries');
      assert.equal(res.status, 200);
      assert.equal(res.body.countries.length, 31);
      assert.deepEqual(
        res.body.countries.find((c) => c.code === 'DE'),
        { code: 'DE', name: 'Germany', eu: true },
      );
      assert.equal(res.body.countries.find((c) => c.code === 'CH')?.eu, false);
    });

    it('shows a country with its NCPs and agencies to members', async () => {
      const anonymous = await server.api.get('/api/v1/countries/DE');
      assert.equal(anonymous.status, 401);
      const res = await server.api.get<CountryDetail>('/api/v1/countries/DE', { token: member.token });
      assert.equal(res.status, 200);
      assert.equal(res.body.name, 'Germany');
      assert.deepEqual(res.body.ncps, [{ id: ncpDe.id, displayName: 'Dieter Ncp' }]);
      assert.doesNotMatch(JSON.stringify(res.body), /@/);
      const unknown = await server.api.get('/api/v1/countries/XX', { token: member.token });
      assert.equal(unknown.status, 404);
    });

    it('lets an NCP add agencies to their own country only', async () => {
      const created = await server.api.post<AgencyResponse>(
        '/api/v1/agencies',
        { countryCode: 'DE', name: 'Bundeskriminalamt' },
        { token: ncpDe.token },
      );
      assert.equal(created.status, 201);
      assert.equal(created.body.agency.name, 'Bundeskriminalamt');

      const duplicate = await server.api.post(
        '/api/v1/agencies',
        { countryCode: 'DE', name: 'Bundeskriminalamt' },
        { token: admin.token },
      );
      assert.equal(duplicate.status, 409);
      assert.equal(codeOf(duplicate), 'CONFLICT');

      const abroad = await server.api.post(
        '/api/v1/agencies',
        { countryCode: 'FR', name: 'Gendarmerie nationale' },
        { token: ncpDe.token },
      );
      assert.equal(abroad.status, 403);
      assert.equal(codeOf(abroad), 'FORBIDDEN');

      const byAdmin = await server.api.post<AgencyResponse>(
        '/api/v1/agencies',
        { countryCode: 'FR', name: 'Gendarmerie nationale' },
        { token: admin.token },
      );
      assert.equal(byAdmin.status, 201);

      const byMember = await server.api.post(
        '/api/v1/agencies',
        { countryCode: 'DE', name: 'Bundespolizei' },
        { token: member.token },
      );
      assert.equal(byMember.status, 403);
      const unknownCountry = await server.api.post(
        '/api/v1/agencies',
        { countryCode: 'XX', name: 'Nowhere Police' },
        { token: admin.token },
      );
      assert.equal(codeOf(unknownCountry), 'UNKNOWN_COUNTRY');

      // The public list (the application form uses it), per country.
      const de = await server.api.get<AgencyListResponse>('/api/v1/agencies?countryCode=DE');
      assert.deepEqual(de.body.agencies, [created.body.agency]);
      const all = await server.api.get<AgencyListResponse>('/api/v1/agencies');
      assert.equal(all.body.agencies.length, 2);
      const country = await server.api.get<CountryDetail>('/api/v1/countries/FR', { token: member.token });
      assert.deepEqual(
        country.body.agencies.map((a) => a.name),
        ['Gendarmerie nationale'],
      );
      const audit = await server.built.services.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', '=', 'agency.created')
        .execute();
      assert.equal(audit.length, 2);
    });
  });
}
