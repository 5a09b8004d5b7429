import { Type } from 'typebox';
import {
  ChangePasswordRequest,
  IdParams,
  Me,
  RecoveryCodesResponse,
  RegenerateRecoveryCodesRequest,
  RevokeOthersResponse,
  SessionListResponse,
  TotpConfirmRequest,
  TotpDisableRequest,
  TotpSetupRequest,
  TotpSetupResponse,
  UpdateMeRequest,
  type SessionId,
} from '@enlets/protocol';
import {
  changePassword,
  confirmTotp,
  disableTotp,
  regenerateRecoveryCodes,
  revokeMySession,
  revokeOtherSessions,
  setupTotp,
  updateMe,
} from '../../domain/actions/account.js';
import { getMe, listMySessions } from '../../domain/queries/account.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';
import { originOf } from './auth.js';

export function meRoutes(app: App, services: Services): void {
  app.get(
    '/me',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['me'], summary: 'The signed-in account', response: { 200: Me } },
    },
    (request) => getMe(services, actorOf(request).user.id),
  );

  app.patch(
    '/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Change your display name',
        body: UpdateMeRequest,
        response: { 200: Me },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await updateMe(services, actor, request.body);
      return getMe(services, actor.user.id);
    },
  );

  app.get(
    '/me/sessions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Your live sessions, the current one marked',
        response: { 200: SessionListResponse },
      },
    },
    async (request) => ({ sessions: await listMySessions(services, actorOf(request)) }),
  );

  app.delete(
    '/me/sessions/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Sign out one of your sessions (e.g. a lost laptop)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await revokeMySession(services, actorOf(request), request.params.id as SessionId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/sessions/revoke-others',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Sign out every session but this one',
        response: { 200: RevokeOthersResponse },
      },
    },
    async (request) => ({ revoked: await revokeOtherSessions(services, actorOf(request)) }),
  );

  app.post(
    '/me/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Change your password; signs out your other sessions',
        body: ChangePasswordRequest,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await changePassword(services, actorOf(request), request.body, originOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/totp/setup',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Start two-factor enrolment: a new secret for your authenticator app',
        body: TotpSetupRequest,
        response: { 200: TotpSetupResponse },
      },
    },
    (request) => setupTotp(services, actorOf(request), request.body.currentPassword, originOf(request)),
  );

  app.post(
    '/me/totp/confirm',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Turn two-factor authentication on with a code from the new secret; returns recovery codes',
        body: TotpConfirmRequest,
        response: { 200: RecoveryCodesResponse },
      },
    },
    async (request) => ({ recoveryCodes: await confirmTotp(services, actorOf(request), request.body.code) }),
  );

  app.post(
    '/me/totp/disable',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Turn two-factor authentication off (password and a current code or recovery code)',
        body: TotpDisableRequest,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await disableTotp(services, actorOf(request), request.body, originOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/recovery-codes/regenerate',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Replace your recovery codes with ten new ones',
        body: RegenerateRecoveryCodesRequest,
        response: { 200: RecoveryCodesResponse },
      },
    },
    async (request) => ({
      recoveryCodes: await regenerateRecoveryCodes(
        services,
        actorOf(request),
        request.body,
        originOf(request),
      ),
    }),
  );
}
