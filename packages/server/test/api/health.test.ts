import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { codeOf } from '../helpers/http.js';

for (const dialect of DIALECTS) {
  describe(`http/routes/health [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.close());

    it('answers liveness with the version', async () => {
      const res = await server.api.get('/health');
      assert.equal(res.status, 200);
      assert.equal(res.body['status'], 'ok');
    });

    it('is ready once the schema is migrated', async () => {
      const res = await server.api.get('/ready');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ready', checks: { database: true, migrations: true } });
    });

    it('answers an unknown route with a catalogued 404 and a request id', async () => {
      const res = await server.api.get('/api/v1/nothing-here');
      assert.equal(res.status, 404);
      assert.equal(codeOf(res), 'ROUTE_NOT_FOUND');
      assert.equal(res.headers.get('x-request-id'), (res.body['error'] as { requestId: string }).requestId);
    });

    it('sends strict security headers', async () => {
      const res = await server.api.get('/health');
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.ok(res.headers.get('strict-transport-security'));
    });

    it('serves the OpenAPI document', async () => {
      const res = await server.api.get('/api/docs/json');
      assert.equal(res.status, 200);
      assert.equal(res.body['openapi'], '3.1.0');
      assert.ok(Object.keys(res.body['paths'] as object).includes('/api/v1/setup'));
    });
  });
}
