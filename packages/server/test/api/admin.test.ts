import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditListResponse, AuditVerifyResponse, MailListResponse } from '@enlets/protocol';
import { createSecretariatAdmin } from '../../src/domain/actions/setup.js';
import { queueMail } from '../../src/domain/mail.js';
import { inTransaction } from '../../src/domain/services.js';
import { MAIL_MAX_ATTEMPTS } from '../../src/mail/worker.js';
import { HOUR_MS } from '../../src/lib/clock.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`http/routes/admin [${dialect}]`, () => {
    let server: TestServer;
    let admin: TestActor;
    let member: TestActor;
    before(async () => {
      server = await startTestServer(dialect);
      admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }], countryCode: null });
      member = await createActor(server, { roles: [{ role: 'lea_member' }] });
      // Five audited actions to page through.
      for (let i = 1; i <= 5; i += 1) {
        await createSecretariatAdmin(
          server.built.services,
          {
            email: `admin${String(i)}@secretariat.example`,
            displayName: `Admin ${String(i)}`,
            password: 'a long enough pass phrase',
          },
          'cli',
        );
      }
    });
    after(() => server.close());

    it('lists audit entries newest first, in pages', async () => {
      const first = await server.api.get<AuditListResponse>('/api/v1/admin/audit?limit=3', {
        token: admin.token,
      });
      assert.equal(first.status, 200);
      assert.deepEqual(
        first.body.entries.map((e) => e.seq),
        [5, 4, 3],
      );
      const newest = first.body.entries[0];
      assert.ok(newest);
      assert.equal(newest.action, 'admin.created');
      assert.deepEqual(newest.details, { via: 'cli' });
      assert.match(newest.hash, /^[0-9a-f]{64}$/);
      assert.equal(first.body.nextBeforeSeq, 3);

      const second = await server.api.get<AuditListResponse>('/api/v1/admin/audit?limit=3&beforeSeq=3', {
        token: admin.token,
      });
      assert.deepEqual(
        second.body.entries.map((e) => e.seq),
        [2, 1],
      );
      assert.equal(second.body.nextBeforeSeq, null);
    });

    it('refuses the audit log to a member and to anonymous callers', async () => {
      const asMember = await server.api.get('/api/v1/admin/audit', { token: member.token });
      assert.equal(asMember.status, 403);
      assert.equal(codeOf(asMember), 'FORBIDDEN');
      const anonymous = await server.api.get('/api/v1/admin/audit/verify');
      assert.equal(anonymous.status, 401);
      const badLimit = await server.api.get('/api/v1/admin/audit?limit=0', { token: admin.token });
      assert.equal(codeOf(badLimit), 'VALIDATION_FAILED');
    });

    it('lists the mail queue without bodies and says whether SMTP is configured', async () => {
      await inTransaction(server.built.services, (trx, afterCommit) =>
        queueMail(server.built.services, trx, afterCommit, {
          to: 'someone@police.example',
          subject: 'Your one-time link',
          text: 'secret link https://example/#token=abc',
          kind: 'test',
        }),
      );
      await server.smtp.waitFor('someone@police.example');
      const res = await server.api.get<MailListResponse>('/api/v1/admin/mail', { token: admin.token });
      assert.equal(res.status, 200);
      assert.equal(res.body.smtpConfigured, true);
      const mail = res.body.mails.find((m) => m.to === 'someone@police.example');
      assert.ok(mail);
      assert.equal(mail.subject, 'Your one-time link');
      assert.ok(!JSON.stringify(res.body).includes('secret link'));
      assert.ok(!('bodyText' in mail) && !('body' in mail));

      const asMember = await server.api.get('/api/v1/admin/mail', { token: member.token });
      assert.equal(asMember.status, 403);
    });

    it('retries a mail that failed every attempt, and audits it', async () => {
      const services = server.built.services;
      server.smtp.failing = true;
      const to = 'unlucky@police.example';
      const mailId = await inTransaction(services, (trx, afterCommit) =>
        queueMail(services, trx, afterCommit, { to, subject: 'Welcome', text: 'hello', kind: 'test' }),
      );
      for (let i = 0; i < MAIL_MAX_ATTEMPTS * 2; i += 1) {
        await server.mailer.runOnce();
        const failed = await server.api.get<MailListResponse>('/api/v1/admin/mail?status=failed', {
          token: admin.token,
        });
        if (failed.body.mails.some((m) => m.id === mailId)) break;
        server.clock.advance(7 * HOUR_MS);
      }
      const failed = await server.api.get<MailListResponse>('/api/v1/admin/mail?status=failed', {
        token: admin.token,
      });
      const mail = failed.body.mails.find((m) => m.id === mailId);
      assert.ok(mail, 'the mail ended as failed');
      assert.equal(mail.attempts, MAIL_MAX_ATTEMPTS);
      assert.match(mail.lastError ?? '', /temporarily unavailable/);

      server.smtp.failing = false;
      const retried = await server.api.post(`/api/v1/admin/mail/${mailId}/retry`, undefined, {
        token: admin.token,
      });
      assert.equal(retried.status, 200);
      assert.deepEqual(retried.body, { id: mailId, status: 'queued' });
      await server.smtp.waitFor(to);

      // Only failed mail can be retried; unknown ids look the same.
      const again = await server.api.post(`/api/v1/admin/mail/${mailId}/retry`, undefined, {
        token: admin.token,
      });
      assert.equal(again.status, 404);
      assert.equal(codeOf(again), 'NOT_FOUND');
      const unknown = await server.api.post(
        '/api/v1/admin/mail/00000000-0000-4000-8000-000000000000/retry',
        undefined,
        { token: admin.token },
      );
      assert.equal(codeOf(unknown), 'NOT_FOUND');
      const asMember = await server.api.post(`/api/v1/admin/mail/${mailId}/retry`, undefined, {
        token: member.token,
      });
      assert.equal(asMember.status, 403);

      const audit = await server.api.get<AuditListResponse>('/api/v1/admin/audit?limit=1', {
        token: admin.token,
      });
      const entry = audit.body.entries[0];
      assert.ok(entry);
      assert.equal(entry.action, 'mail.retried');
      assert.equal(entry.actorId, admin.id);
      assert.equal(entry.targetId, mailId);
    });

    it('verifies the chain, and reports the first tampered entry', async () => {
      const intact = await server.api.get<AuditVerifyResponse>('/api/v1/admin/audit/verify', {
        token: admin.token,
      });
      assert.equal(intact.status, 200);
      assert.equal(intact.body.ok, true);
      assert.equal(intact.body.entries, 6);

      await server.database.db
        .updateTable('audit_log')
        .set({ details: '{"via":"setup"}' })
        .where('seq', '=', 3)
        .execute();
      const broken = await server.api.get<AuditVerifyResponse>('/api/v1/admin/audit/verify', {
        token: admin.token,
      });
      assert.deepEqual(broken.body, { ok: false, entries: 2, brokenAtSeq: 3, reason: 'hash_mismatch' });
    });
  });
}
