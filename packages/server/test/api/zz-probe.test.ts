import { it } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { createActor } from '../helpers/actors.js';
it('probe', async () => {
  const s = await startTestServer('sqlite');
  console.log(s.built.routes);
  const a = await createActor(s, { roles: [{ role: 'secretariat_admin' }] });
  const doc = await s.api.get('/api/docs/json');
  console.log(JSON.stringify(doc.body['paths'], null, 1).slice(0, 3000));
  for (const [m, p, opts] of [
    ['POST', '/api/v1/setup', { rawBody: 'x', headers: { 'content-type': 'text/plain' } }],
    ['POST', '/api/v1/setup', { rawBody: 'x', headers: { 'content-type': 'application/json-patch+json' } }],
    ['POST', '/api/v1/setup', { rawBody: 'x', headers: { 'content-type': 'application/jsonx' } }],
    ['POST', '/api/v1/setup', { rawBody: '' , headers: { 'content-type': ''} }],
    ['POST', '/api/v1/setup', { rawBody: 'null' }],
    ['POST', '/api/v1/setup/%zz', {}],
    ['GET', '/api/v1/setup/' + 'a'.repeat(300), {}],
    ['GET', '/api/v1/setup', { rawBody: '{', headers: { 'content-type': 'application/json' } }],
    ['DELETE', '/api/v1/setup', { rawBody: '{' }],
  ] as const) {
    const r = await s.api.call(m, p, { ...opts, token: a.token } as never);
    console.log(m, p.slice(0, 40), r.status, JSON.stringify(r.body).slice(0, 200));
  }
  await s.close();
});
