import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  Accepted,
  LoginRequest,
  LoginResponse,
  PasswordResetConfirmRequest,
  PasswordResetRequest,
  type SessionId,
  type SessionMode,
} from '@enlets/protocol';
import type { RequestOrigin } from '../../domain/actor.js';
import {
  confirmPasswordReset,
  login,
  logout,
  requestPasswordReset,
  type SignedIn,
} from '../../domain/actions/auth.js';
import { getMe, type MeView } from '../../domain/queries/account.js';
import type { Services } from '../../domain/services.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import { actorOf, type App } from '../types.js';

/** Where a request came from, for throttling, the session list and new-device mails. */
export function originOf(request: FastifyRequest): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

/**
 * The answer to a successful sign-in (login, activation). A cookie session gets the HttpOnly, SameSite=Strict
 * `enlets_session` cookie and no token in the body; a bearer session gets the token in the body only.
 */
export async function sessionAnswer(
  services: Services,
  reply: FastifyReply,
  signedIn: SignedIn,
  mode: SessionMode,
): Promise<{ token?: string; sessionId: SessionId; expiresAt: number; user: MeView }> {
  const user = await getMe(services, signedIn.userId);
  const { token, sessionId, expiresAt } = signedIn.session;
  if (mode === 'cookie') {
    void reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: services.config.secureCookies,
      path: '/',
      maxAge: services.config.sessionTtlDays * 24 * 60 * 60,
    });
    return { sessionId, expiresAt, user };
  }
  return { token, sessionId, expiresAt, user };
}

export function authRoutes(app: App, services: Services): void {
  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateFamily: 'login' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with e-mail, password and (when enabled) a TOTP or recovery code',
        body: LoginRequest,
        response: { 200: LoginResponse },
      },
    },
    async (request, reply) => {
      const { session, ...input } = request.body;
      const mode = session ?? 'bearer';
      const signedIn = await login(services, { ...input, kind: mode }, originOf(request));
      return sessionAnswer(services, reply, signedIn, mode);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await logout(services, actorOf(request));
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/password-reset',
    {
      config: { access: 'public', rateFamily: 'public_form' },
      schema: {
        tags: ['auth'],
        summary: 'Mail a password reset link (the answer is the same whether or not the account exists)',
        body: PasswordResetRequest,
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(services, request.body.email);
      return reply.status(202).send({ accepted: true });
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      config: { access: 'public', rateFamily: 'public_form' },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the link from the reset mail; signs out every session',
        body: PasswordResetConfirmRequest,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(services, request.body.token, request.body.newPassword);
      return reply.status(204).send(null);
    },
  );
}
