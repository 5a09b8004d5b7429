import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreGroupResponse, MemberResponse } from '@enlets/protocol';
import { createActor, type TestActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`http/routes/members roles [${dialect}]`, () => {
    let server: TestServer;
    let admin: TestActor;
    let ncp: TestActor;

    before(async () => {
      server = await startTestServer(dialect);
      admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }], countryCode: null });
      ncp = await createActor(server, { roles: [{ role: 'ncp', scope: 'DE' }], countryCode: 'DE' });
    });
    after(() => server.close());

    const grant = (token: string, id: string, body: unknown) =>
      server.api.post<MemberResponse>(`/api/v1/members/${id}/roles`, body, { token });
    const revoke = (token: string, id: string, body: unknown) =>
      server.api.post<MemberResponse>(`/api/v1/members/${id}/roles/revoke`, body, { token });

    it('grants and revokes an NCP role, which takes effect on the next request', async () => {
      const member = await createActor(server, { countryCode: 'AT' });
      assert.equal((await server.api.get('/api/v1/applications', { token: member.token })).status, 403);

      const granted = await grant(admin.token, member.id, { role: 'ncp', scope: 'AT' });
      assert.equal(granted.status, 200);
      assert.deepEqual(granted.body.member.roles, [{ role: 'lea_member' }, { role: 'ncp', scope: 'AT' }]);
      assert.equal((await server.api.get('/api/v1/applications', { token: member.token })).status, 200);

      const revoked = await revoke(admin.token, member.id, { role: 'ncp', scope: 'AT' });
      assert.equal(revoked.status, 200);
      assert.deepEqual(revoked.body.member.roles, [{ role: 'lea_member' }]);
      assert.equal((await server.api.get('/api/v1/applications', { token: member.token })).status, 403);

      const notHeld = await revoke(admin.token, member.id, { role: 'ncp', scope: 'AT' });
      assert.equal(codeOf(notHeld), 'NOT_FOUND');

      const audit = await server.built.services.db
        .selectFrom('audit_log')
        .select('action')
        .where('target_id', '=', member.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        ['role.granted', 'role.revoked'],
      );
    });

    it('checks the scope of each role', async () => {
      const member = await createActor(server);
      assert.equal(codeOf(await grant(admin.token, member.id, { role: 'ncp' })), 'VALIDATION_FAILED');
      assert.equal(
        codeOf(await grant(admin.token, member.id, { role: 'ncp', scope: 'XX' })),
        'UNKNOWN_COUNTRY',
      );
      assert.equal(codeOf(await grant(admin.token, member.id, { role: 'tig_lead' })), 'VALIDATION_FAILED');
      assert.equal(
        codeOf(await grant(admin.token, member.id, { role: 'core_group', scope: 'DE' })),
        'VALIDATION_FAILED',
      );
      assert.equal(codeOf(await grant(admin.token, member.id, { role: 'emperor' })), 'VALIDATION_FAILED');
      const tig = await grant(admin.token, member.id, { role: 'tig_lead', scope: 'drones' });
      assert.equal(tig.status, 200);
      assert.ok(tig.body.member.roles.some((r) => r.role === 'tig_lead' && r.scope === 'drones'));
    });

    it('lists Core Group members once they hold the role', async () => {
      const member = await createActor(server, { displayName: 'Carla Core' });
      assert.equal((await grant(admin.token, member.id, { role: 'core_group' })).status, 200);
      const res = await server.api.get<CoreGroupResponse>('/api/v1/core-group', { token: ncp.token });
      assert.equal(res.status, 200);
      assert.ok(res.body.members.some((m) => m.id === member.id && m.displayName === 'Carla Core'));
      assert.doesNotMatch(JSON.stringify(res.body), /@/);
    });

    it('keeps an admin from revoking their own Secretariat admin role', async () => {
      const own = await revoke(admin.token, admin.id, { role: 'secretariat_admin' });
      assert.equal(own.status, 409);
      assert.equal(codeOf(own), 'CONFLICT');
      assert.equal((await server.api.get('/api/v1/applications', { token: admin.token })).status, 200);

      // Another admin may do it.
      const other = await createActor(server, { roles: [{ role: 'secretariat_admin' }], countryCode: null });
      const res = await revoke(other.token, admin.id, { role: 'secretariat_admin' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.member.roles, []);
      // And the last admin cannot leave the platform unmanaged.
      const leave = await server.api.post(
        '/api/v1/me/leave',
        { password: other.password },
        { token: other.token },
      );
      assert.equal(codeOf(leave), 'CONFLICT');
    });

    it('is for Secretariat admins only', async () => {
      const member = await createActor(server);
      const res = await grant(ncp.token, member.id, { role: 'ncp', scope: 'DE' });
      assert.equal(res.status, 403);
      assert.equal(codeOf(res), 'FORBIDDEN');
      // (The first admin lost the role above; a fresh one asks.)
      const fresh = await createActor(server, { roles: [{ role: 'secretariat_admin' }], countryCode: null });
      const unknown = await grant(fresh.token, '00000000-0000-4000-8000-000000000000', {
        role: 'core_group',
      });
      assert.equal(codeOf(unknown), 'NOT_FOUND');
    });
  });
}
