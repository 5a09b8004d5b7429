import {
  AuditListQuery,
  AuditListResponse,
  AuditVerifyResponse,
  IdParams,
  MailListQuery,
  MailListResponse,
  MailRetryResponse,
} from '@enlets/protocol';
import { retryMail } from '../../domain/actions/mail-admin.js';
import { verifyAuditChain } from '../../domain/audit.js';
import { isSmtpConfigured, listAuditPage, listMailQueue } from '../../domain/queries/admin.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const DEFAULT_AUDIT_PAGE = 50;
const DEFAULT_MAIL_PAGE = 100;

/** The Secretariat's operations views: the audit log and its chain, and the outgoing mail queue. */
export function adminRoutes(app: App, services: Services): void {
  app.get(
    '/admin/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['admin'],
        summary: 'Audit log entries, newest first (page with beforeSeq)',
        querystring: AuditListQuery,
        response: { 200: AuditListResponse },
      },
    },
    (request) => listAuditPage(services, request.query.beforeSeq, request.query.limit ?? DEFAULT_AUDIT_PAGE),
  );

  app.get(
    '/admin/audit/verify',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['admin'],
        summary: 'Walk the whole audit hash chain and report the first broken link, if any',
        response: { 200: AuditVerifyResponse },
      },
    },
    () => verifyAuditChain(services),
  );

  app.get(
    '/admin/mail',
    {
      config: { access: 'mail.manage' },
      schema: {
        tags: ['admin'],
        summary: 'The outgoing mail queue, newest first, without bodies',
        querystring: MailListQuery,
        response: { 200: MailListResponse },
      },
    },
    async (request) => ({
      smtpConfigured: isSmtpConfigured(services),
      mails: await listMailQueue(services, request.query.status, request.query.limit ?? DEFAULT_MAIL_PAGE),
    }),
  );

  app.post(
    '/admin/mail/:id/retry',
    {
      config: { access: 'mail.manage' },
      schema: {
        tags: ['admin'],
        summary: 'Put a failed mail back in the queue',
        params: IdParams,
        response: { 200: MailRetryResponse },
      },
    },
    async (request) => {
      const id = await retryMail(services, actorOf(request).user.id, request.params.id);
      return { id, status: 'queued' as const };
    },
  );
}
