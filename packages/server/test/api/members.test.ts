import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MemberListResponse, MemberResponse } from '@enlets/protocol';
import { createActor, type TestActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`http/routes/members [${dialect}]`, () => {
    let server: TestServer;
    let admin: TestActor;
    let ncpDe: TestActor;
    let reader: TestActor;
    let fr: TestActor;

    before(async () => {
      server = await startTestServer(dialect);
      admin = await createActor(server, {
        roles: [{ role: 'secretariat_admin' }],
        countryCode: 'DE',
        displayName: 'Ada Admin',
      });
      ncpDe = await createActor(server, {
        roles: [{ role: 'ncp', scope: 'DE' }],
        countryCode: 'DE',
        displayName: 'Nina Ncp',
      });
      reader = await createActor(server, { countryCode: 'DE', displayName: 'Rita Reader' });
      fr = await createActor(server, { countryCode: 'FR', displayName: 'François Fr' });
    });
    after(() => server.close());

    describe('directory', () => {
      it('lists active members without e-mail addresses', async () => {
        const res = await server.api.get<MemberListResponse>('/api/v1/members', { token: reader.token });
        assert.equal(res.status, 200);
        const names = res.body.members.map((m) => m.displayName);
        assert.ok(names.includes('Nina Ncp') && names.includes('François Fr'));
        assert.doesNotMatch(JSON.stringify(res.body), /@/);
        const nina = res.body.members.find((m) => m.id === ncpDe.id);
        assert.deepEqual(nina?.roles, [{ role: 'ncp', scope: 'DE' }]);
      });

      it('filters by country and by part of the name, case-insensitively', async () => {
        const byCountry = await server.api.get<MemberListResponse>('/api/v1/members?countryCode=FR', {
          token: reader.token,
        });
        assert.deepEqual(
          byCountry.body.members.map((m) => m.id),
          [fr.id],
        );
        const byName = await server.api.get<MemberListResponse>('/api/v1/members?q=nINA', {
          token: reader.token,
        });
        assert.deepEqual(
          byName.body.members.map((m) => m.id),
          [ncpDe.id],
        );
        const wildcard = await server.api.get<MemberListResponse>('/api/v1/members?q=%25', {
          token: reader.token,
        });
        assert.deepEqual(wildcard.body.members, []);
      });

      it('pages through the members with a cursor', async () => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = cursor === null ? '' : `&cursor=${cursor}`;
          const page = await server.api.get<MemberListResponse>(`/api/v1/members?limit=1${query}`, {
            token: reader.token,
          });
          assert.equal(page.status, 200);
          assert.ok(page.body.members.length <= 1);
          seen.push(...page.body.members.map((m) => m.displayName));
          cursor = page.body.nextCursor;
        } while (cursor !== null);
        assert.deepEqual(seen, [...seen].sort());
        assert.ok(seen.length >= 4);
        const bad = await server.api.get('/api/v1/members?cursor=garbage', { token: reader.token });
        assert.equal(codeOf(bad), 'VALIDATION_FAILED');
      });

      it('shows the e-mail address of a member to a Secretariat admin only', async () => {
        const asMember = await server.api.get<MemberResponse>(`/api/v1/members/${fr.id}`, {
          token: reader.token,
        });
        assert.equal(asMember.status, 200);
        assert.equal(asMember.body.member.displayName, 'François Fr');
        assert.equal(asMember.body.member.email, undefined);
        const asNcp = await server.api.get<MemberResponse>(`/api/v1/members/${fr.id}`, {
          token: ncpDe.token,
        });
        assert.equal(asNcp.body.member.email, undefined);
        const asAdmin = await server.api.get<MemberResponse>(`/api/v1/members/${fr.id}`, {
          token: admin.token,
        });
        assert.equal(asAdmin.body.member.email, fr.email);
      });

      it('answers NOT_FOUND for an unknown member', async () => {
        const res = await server.api.get('/api/v1/members/00000000-0000-4000-8000-000000000000', {
          token: reader.token,
        });
        assert.equal(res.status, 404);
        assert.equal(codeOf(res), 'NOT_FOUND');
      });

      it('is for members only', async () => {
        const anonymous = await server.api.get('/api/v1/members');
        assert.equal(anonymous.status, 401);
        const guest = await createActor(server, { roles: [{ role: 'partner_guest' }] });
        const res = await server.api.get('/api/v1/members', { token: guest.token });
        assert.equal(res.status, 403);
      });
    });

    describe('suspend and reactivate', () => {
      it('lets the NCP suspend a member of their country, whose sessions end at once', async () => {
        const target = await createActor(server, { countryCode: 'DE', displayName: 'Sam Suspended' });
        assert.equal((await server.api.get('/api/v1/members', { token: target.token })).status, 200);
        const res = await server.api.post<MemberResponse>(
          `/api/v1/members/${target.id}/suspend`,
          { reason: 'Left the agency' },
          { token: ncpDe.token },
        );
        assert.equal(res.status, 200);
        assert.equal(res.body.member.status, 'suspended');
        const after = await server.api.get('/api/v1/members', { token: target.token });
        assert.equal(after.status, 401);
        const mail = await server.smtp.waitFor(target.email, (m) => /suspended/.test(m.subject));
        assert.match(mail.text, /Left the agency/);

        // Other members no longer see a suspended member; the NCP of their country does.
        const asReader = await server.api.get(`/api/v1/members/${target.id}`, { token: reader.token });
        assert.equal(asReader.status, 404);
        const asNcp = await server.api.get(`/api/v1/members/${target.id}`, { token: ncpDe.token });
        assert.equal(asNcp.status, 200);

        const again = await server.api.post(
          `/api/v1/members/${target.id}/suspend`,
          { reason: 'once more' },
          { token: ncpDe.token },
        );
        assert.equal(codeOf(again), 'CONFLICT');

        const reactivated = await server.api.post<MemberResponse>(
          `/api/v1/members/${target.id}/reactivate`,
          undefined,
          { token: ncpDe.token },
        );
        assert.equal(reactivated.status, 200);
        assert.equal(reactivated.body.member.status, 'active');
        await server.smtp.waitFor(target.email, (m) => /active again/.test(m.subject));
        // The sessions ended by the suspension stay ended.
        assert.equal((await server.api.get('/api/v1/members', { token: target.token })).status, 401);
      });

      it('hides members of other countries and Secretariat admins from an NCP', async () => {
        for (const id of [fr.id, admin.id]) {
          const res = await server.api.post(
            `/api/v1/members/${id}/suspend`,
            { reason: 'Not yours to suspend' },
            { token: ncpDe.token },
          );
          assert.equal(res.status, 404);
          assert.equal(codeOf(res), 'NOT_FOUND');
        }
        assert.equal((await server.api.get('/api/v1/members', { token: fr.token })).status, 200);
      });

      it('lists suspended members for moderation: every country for an admin, their own for an NCP', async () => {
        const suspendedDe = await createActor(server, { countryCode: 'DE', displayName: 'Sue Suspended De' });
        const suspendedFr = await createActor(server, { countryCode: 'FR', displayName: 'Sue Suspended Fr' });
        for (const target of [suspendedDe, suspendedFr]) {
          const res = await server.api.post(
            `/api/v1/members/${target.id}/suspend`,
            { reason: 'Under review' },
            { token: admin.token },
          );
          assert.equal(res.status, 200);
        }
        const ids = async (token: string, query: string): Promise<string[]> => {
          const res = await server.api.get<MemberListResponse>(`/api/v1/members?${query}`, { token });
          assert.equal(res.status, 200);
          return res.body.members.map((m) => m.id);
        };

        const adminSuspended = await ids(admin.token, 'status=suspended');
        assert.ok(adminSuspended.includes(suspendedDe.id) && adminSuspended.includes(suspendedFr.id));
        assert.ok(!adminSuspended.includes(reader.id));
        const adminActive = await ids(admin.token, 'status=active');
        assert.ok(adminActive.includes(reader.id));
        assert.ok(!adminActive.includes(suspendedDe.id) && !adminActive.includes(suspendedFr.id));
        assert.ok(!(await ids(admin.token, '')).includes(suspendedDe.id));
        assert.deepEqual(await ids(admin.token, 'status=suspended&countryCode=FR'), [suspendedFr.id]);

        const ncpSuspended = await ids(ncpDe.token, 'status=suspended');
        assert.ok(ncpSuspended.includes(suspendedDe.id));
        assert.ok(!ncpSuspended.includes(suspendedFr.id));
        assert.deepEqual(await ids(ncpDe.token, 'status=suspended&countryCode=FR'), []);

        // An invited account (the invitation not yet accepted) is listed under `invited` only.
        const invited = await createActor(server, { countryCode: 'DE', displayName: 'Ivy Invited' });
        await server.built.services.db
          .updateTable('users')
          .set({ status: 'invited' })
          .where('id', '=', invited.id)
          .execute();
        assert.ok((await ids(ncpDe.token, 'status=invited')).includes(invited.id));
        assert.ok(!(await ids(ncpDe.token, 'status=suspended')).includes(invited.id));
        assert.ok(!(await ids(admin.token, '')).includes(invited.id));

        for (const status of ['suspended', 'invited']) {
          const asReader = await server.api.get(`/api/v1/members?status=${status}`, { token: reader.token });
          assert.equal(asReader.status, 403);
          assert.equal(codeOf(asReader), 'FORBIDDEN');
        }
        for (const status of ['removed', 'bogus']) {
          const bad = await server.api.get(`/api/v1/members?status=${status}`, { token: admin.token });
          assert.equal(bad.status, 400);
          assert.equal(codeOf(bad), 'VALIDATION_FAILED');
        }
      });

      it('is not for ordinary members', async () => {
        const res = await server.api.post(
          `/api/v1/members/${fr.id}/suspend`,
          { reason: 'I do not like them' },
          { token: reader.token },
        );
        assert.equal(res.status, 403);
      });
    });

    describe('remove', () => {
      it('removes a member for good: sessions end, roles go, the directory forgets them', async () => {
        const target = await createActor(server, {
          countryCode: 'FR',
          roles: [{ role: 'lea_member' }, { role: 'core_group' }],
        });
        const byNcp = await server.api.post(
          `/api/v1/members/${target.id}/remove`,
          { reason: 'Not allowed' },
          { token: ncpDe.token },
        );
        assert.equal(byNcp.status, 403);

        const res = await server.api.post<MemberResponse>(
          `/api/v1/members/${target.id}/remove`,
          { reason: 'Duplicate account' },
          { token: admin.token },
        );
        assert.equal(res.status, 200);
        assert.equal(res.body.member.status, 'removed');
        assert.deepEqual(res.body.member.roles, []);
        assert.equal((await server.api.get('/api/v1/members', { token: target.token })).status, 401);
        const detail = await server.api.get(`/api/v1/members/${target.id}`, { token: admin.token });
        assert.equal(detail.status, 404);
        await server.smtp.waitFor(target.email, (m) => /removed/.test(m.subject));
      });
    });

    describe('leave the service', () => {
      it('needs the password, then closes the account and ends every session', async () => {
        const leaver = await createActor(server, { countryCode: 'DE' });
        const wrong = await server.api.post(
          '/api/v1/me/leave',
          { password: 'not my password at all' },
          { token: leaver.token },
        );
        assert.equal(codeOf(wrong), 'INVALID_CREDENTIALS');
        assert.equal((await server.api.get('/api/v1/members', { token: leaver.token })).status, 200);

        const res = await server.api.post(
          '/api/v1/me/leave',
          { password: leaver.password },
          { token: leaver.token },
        );
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { accepted: true });
        assert.equal((await server.api.get('/api/v1/members', { token: leaver.token })).status, 401);
        const detail = await server.api.get(`/api/v1/members/${leaver.id}`, { token: admin.token });
        assert.equal(detail.status, 404);
        const mail = await server.smtp.waitFor(leaver.email, (m) =>
          /left the ENLETS Messenger/.test(m.subject),
        );
        assert.match(mail.text, /signed out/);
        const roles = await server.built.services.db
          .selectFrom('user_roles')
          .select('role')
          .where('user_id', '=', leaver.id)
          .execute();
        assert.deepEqual(roles, []);
      });
    });
  });
}
