import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  AgencyListResponse,
  ApplicationListResponse,
  ApplicationResponse,
  MemberResponse,
} from '@enlets/protocol';
import { hashToken } from '../../src/lib/secrets.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const JUSTIFICATION = 'I lead the drone countermeasures work of my unit and need the TIG.';

function tokenIn(text: string, path: string): string {
  const match = new RegExp(`http://localhost:8080${path}#token=([A-Za-z0-9_-]+)`).exec(text);
  assert.ok(match?.[1], `no ${path} link in:\n${text}`);
  return match[1];
}

let counter = 0;

for (const dialect of DIALECTS) {
  describe(`http/routes/applications [${dialect}]`, () => {
    let server: TestServer;
    let ncpDe: TestActor;
    let ncpFr: TestActor;
    let admin: TestActor;
    let member: TestActor;

    before(async () => {
      server = await startTestServer(dialect);
      ncpDe = await createActor(server, { roles: [{ role: 'ncp', scope: 'DE' }], countryCode: 'DE' });
      ncpFr = await createActor(server, { roles: [{ role: 'ncp', scope: 'FR' }], countryCode: 'FR' });
      admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }], countryCode: null });
      member = await createActor(server, { roles: [{ role: 'lea_member' }], countryCode: 'DE' });
    });
    after(() => server.close());

    /** Applies through the public form and returns the token of the verification mail. */
    async function apply(
      fields: Partial<Record<string, unknown>> = {},
    ): Promise<{ email: string; displayName: string; token: string }> {
      counter += 1;
      const email = (fields['email'] as string | undefined) ?? `applicant${String(counter)}@bka.example`;
      const displayName = `Applicant ${String(counter)}`;
      const res = await server.api.post('/api/v1/applications', {
        email,
        displayName,
        countryCode: 'DE',
        position: 'Forensic analyst',
        justification: JUSTIFICATION,
        ...fields,
      });
      assert.equal(res.status, 202);
      assert.deepEqual(res.body, { accepted: true });
      const mail = await server.smtp.waitFor(email, (m) => m.text.includes(displayName));
      assert.match(mail.subject, /Confirm your e-mail address/);
      return { email, displayName, token: tokenIn(mail.text, '/apply/verify') };
    }

    /** Applies and verifies; returns the pending application as the German NCP sees it. */
    async function pendingApplication(fields: Partial<Record<string, unknown>> = {}) {
      const applied = await apply(fields);
      const verified = await server.api.post('/api/v1/applications/verify', { token: applied.token });
      assert.equal(verified.status, 200);
      const list = await server.api.get<ApplicationListResponse>('/api/v1/applications', {
        token: admin.token,
      });
      const application = list.body.applications.find((a) => a.email === applied.email);
      assert.ok(application);
      return { ...applied, id: application.id };
    }

    it('takes an application from the e-mail check through vetting to the Messenger invitation', async () => {
      const applied = await apply();
      // Not verified yet: the NCP does not see it by default.
      const before = await server.api.get<ApplicationListResponse>('/api/v1/applications', {
        token: ncpDe.token,
      });
      assert.ok(!before.body.applications.some((a) => a.email === applied.email));

      const verified = await server.api.post('/api/v1/applications/verify', { token: applied.token });
      assert.equal(verified.status, 200);
      assert.deepEqual(verified.body, { status: 'pending' });

      const notice = await server.smtp.waitFor(ncpDe.email, (m) => m.text.includes(applied.displayName));
      assert.match(notice.subject, /New ENLETS membership application to vet \(DE\)/);
      assert.equal(
        server.smtp.mailsTo(ncpFr.email).filter((m) => m.text.includes(applied.displayName)).length,
        0,
      );

      const list = await server.api.get<ApplicationListResponse>('/api/v1/applications', {
        token: ncpDe.token,
      });
      const application = list.body.applications.find((a) => a.email === applied.email);
      assert.ok(application);
      assert.equal(application.status, 'pending');
      assert.equal(application.justification, JUSTIFICATION);
      assert.ok(notice.text.includes(application.id));

      // The French NCP neither lists it nor can open or decide it.
      const frList = await server.api.get<ApplicationListResponse>('/api/v1/applications', {
        token: ncpFr.token,
      });
      assert.ok(!frList.body.applications.some((a) => a.id === application.id));
      const frGet = await server.api.get(`/api/v1/applications/${application.id}`, { token: ncpFr.token });
      assert.equal(frGet.status, 404);
      assert.equal(codeOf(frGet), 'NOT_FOUND');
      const frApprove = await server.api.post(
        `/api/v1/applications/${application.id}/approve`,
        {},
        { token: ncpFr.token },
      );
      assert.equal(frApprove.status, 404);
      const frFiltered = await server.api.get<ApplicationListResponse>(
        '/api/v1/applications?countryCode=DE',
        {
          token: ncpFr.token,
        },
      );
      assert.deepEqual(frFiltered.body.applications, []);

      const approved = await server.api.post<ApplicationResponse>(
        `/api/v1/applications/${application.id}/approve`,
        { note: 'Known to our unit' },
        { token: ncpDe.token },
      );
      assert.equal(approved.status, 200);
      assert.equal(approved.body.application.status, 'approved');
      assert.equal(approved.body.application.decidedBy, ncpDe.id);
      const userId = approved.body.application.userId;
      assert.ok(userId);

      const invitation = await server.smtp.waitFor(applied.email, (m) => m.text.includes('/activate#token='));
      assert.match(invitation.text, /automatically invited to the\s+ENLETS Messenger/);
      const token = tokenIn(invitation.text, '/activate');
      const stored = await server.built.services.db
        .selectFrom('one_time_tokens')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst();
      assert.ok(stored);
      assert.equal(stored.purpose, 'invitation');
      assert.equal(stored.subject_id, userId);
      assert.equal(stored.used_at, null);
      assert.equal(stored.expires_at - server.clock.now(), 7 * 24 * 3600 * 1000);

      // The new account waits for activation, with the LEA member role, in the applicant's country.
      const account = await server.api.get<MemberResponse>(`/api/v1/members/${userId}`, {
        token: admin.token,
      });
      assert.equal(account.status, 200);
      assert.equal(account.body.member.status, 'invited');
      assert.equal(account.body.member.email, applied.email);
      assert.equal(account.body.member.countryCode, 'DE');
      assert.deepEqual(account.body.member.roles, [{ role: 'lea_member' }]);

      // Decided once: a second decision is refused.
      const again = await server.api.post(
        `/api/v1/applications/${application.id}/reject`,
        { reason: 'changed my mind' },
        { token: ncpDe.token },
      );
      assert.equal(codeOf(again), 'APPLICATION_NOT_PENDING');
    });

    it('refuses a verification link that is unknown or used', async () => {
      const applied = await apply();
      const first = await server.api.post('/api/v1/applications/verify', { token: applied.token });
      assert.equal(first.status, 200);
      const reused = await server.api.post('/api/v1/applications/verify', { token: applied.token });
      assert.equal(reused.status, 400);
      assert.equal(codeOf(reused), 'TOKEN_INVALID');
      const unknown = await server.api.post('/api/v1/applications/verify', { token: 'x'.repeat(43) });
      assert.equal(codeOf(unknown), 'TOKEN_INVALID');
    });

    it('shows unverified applications only when asked for them', async () => {
      const applied = await apply();
      const unverified = await server.api.get<ApplicationListResponse>(
        '/api/v1/applications?status=email_unverified',
        { token: ncpDe.token },
      );
      assert.ok(unverified.body.applications.some((a) => a.email === applied.email));
      const decisions = await server.api.post(
        `/api/v1/applications/${unverified.body.applications.find((a) => a.email === applied.email)?.id ?? ''}/approve`,
        {},
        { token: ncpDe.token },
      );
      assert.equal(codeOf(decisions), 'APPLICATION_NOT_PENDING');
    });

    it('rejects with a reason that reaches the applicant', async () => {
      const app = await pendingApplication();
      const noReason = await server.api.post(
        `/api/v1/applications/${app.id}/reject`,
        {},
        { token: ncpDe.token },
      );
      assert.equal(noReason.status, 400);
      const rejected = await server.api.post<ApplicationResponse>(
        `/api/v1/applications/${app.id}/reject`,
        { reason: 'We could not confirm your employment with the agency.' },
        { token: admin.token },
      );
      assert.equal(rejected.status, 200);
      assert.equal(rejected.body.application.status, 'rejected');
      assert.equal(rejected.body.application.userId, null);
      const mail = await server.smtp.waitFor(app.email, (m) => m.text.includes('not been approved'));
      assert.match(mail.text, /We could not confirm your employment with the agency\./);
      const rejectedList = await server.api.get<ApplicationListResponse>(
        '/api/v1/applications?status=rejected',
        { token: ncpDe.token },
      );
      assert.ok(rejectedList.body.applications.some((a) => a.id === app.id));
    });

    it('never lets anyone decide their own application', async () => {
      const app = await pendingApplication();
      // The applicant has meanwhile become the NCP of their country with the same address.
      const self = await createActor(server, {
        email: app.email,
        roles: [{ role: 'ncp', scope: 'DE' }],
        countryCode: 'DE',
      });
      const res = await server.api.post(`/api/v1/applications/${app.id}/approve`, {}, { token: self.token });
      assert.equal(res.status, 403);
      assert.equal(codeOf(res), 'CONFLICT_SELF_VETTING');
      const still = await server.api.get<ApplicationResponse>(`/api/v1/applications/${app.id}`, {
        token: ncpDe.token,
      });
      assert.equal(still.body.application.status, 'pending');
    });

    it('lets exactly one of two simultaneous decisions win', async () => {
      for (const second of ['approve', 'reject'] as const) {
        const app = await pendingApplication();
        const results = await Promise.all([
          server.api.post(`/api/v1/applications/${app.id}/approve`, {}, { token: ncpDe.token }),
          server.api.post(
            `/api/v1/applications/${app.id}/${second}`,
            second === 'reject' ? { reason: 'duplicate of another' } : {},
            { token: admin.token },
          ),
        ]);
        const statuses = results.map((r) => r.status).sort();
        assert.deepEqual(statuses, [200, 409]);
        assert.equal(codeOf(results.find((r) => r.status === 409)!), 'APPLICATION_NOT_PENDING');
        const users = await server.built.services.db
          .selectFrom('users')
          .select('id')
          .where('email', '=', app.email)
          .execute();
        assert.ok(users.length <= 1);
      }
    });

    it('answers the same for an address that has an account, and tells only its mailbox', async () => {
      const res = await server.api.post('/api/v1/applications', {
        email: member.email.toUpperCase(),
        displayName: 'Someone',
        countryCode: 'DE',
        position: 'Analyst',
        justification: JUSTIFICATION,
      });
      assert.equal(res.status, 202);
      assert.deepEqual(res.body, { accepted: true });
      const mail = await server.smtp.waitFor(member.email, (m) => m.text.includes('already has an'));
      assert.doesNotMatch(mail.text, /#token=/);
      const all = await server.api.get<ApplicationListResponse>(
        '/api/v1/applications?status=email_unverified',
        {
          token: admin.token,
        },
      );
      assert.ok(!all.body.applications.some((a) => a.email === member.email));
    });

    it('checks the country and agency of an application', async () => {
      const base = {
        email: 'checks@bka.example',
        displayName: 'Checker',
        position: 'Analyst',
        justification: JUSTIFICATION,
      };
      const country = await server.api.post('/api/v1/applications', { ...base, countryCode: 'XX' });
      assert.equal(codeOf(country), 'UNKNOWN_COUNTRY');
      const agency = await server.api.post('/api/v1/applications', {
        ...base,
        countryCode: 'DE',
        agencyId: '00000000-0000-4000-8000-000000000000',
      });
      assert.equal(codeOf(agency), 'UNKNOWN_AGENCY');
      const short = await server.api.post('/api/v1/applications', {
        ...base,
        countryCode: 'DE',
        justification: 'too short',
      });
      assert.equal(codeOf(short), 'VALIDATION_FAILED');
    });

    it('creates the agency an approved applicant named', async () => {
      const app = await pendingApplication({ agencyName: 'Landeskriminalamt Testland' });
      const approved = await server.api.post<ApplicationResponse>(
        `/api/v1/applications/${app.id}/approve`,
        {},
        { token: ncpDe.token },
      );
      assert.equal(approved.status, 200);
      const agencies = await server.api.get<AgencyListResponse>('/api/v1/agencies?countryCode=DE');
      const agency = agencies.body.agencies.find((a) => a.name === 'Landeskriminalamt Testland');
      assert.ok(agency);
      assert.equal(approved.body.application.agencyId, agency.id);
    });

    it('is for vetters only', async () => {
      const res = await server.api.get('/api/v1/applications', { token: member.token });
      assert.equal(res.status, 403);
      const anonymous = await server.api.get('/api/v1/applications');
      assert.equal(anonymous.status, 401);
    });
  });
}
