import { Type } from 'typebox';
import {
  IdParams,
  LoginResponse,
  PasskeyInfo,
  PasskeyListResponse,
  PasskeyRegistrationOptionsRequest,
  PasskeyRegistrationOptionsResponse,
  PasskeyRegistrationRequest,
  PasskeySignInOptionsResponse,
  PasskeySignInRequest,
} from '@enlets/protocol';
import {
  finishPasskeyRegistration,
  listMyPasskeys,
  removeMyPasskey,
  signInWithPasskey,
  startPasskeyRegistration,
  startPasskeySignIn,
} from '../../domain/actions/passkeys.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';
import { originOf, sessionAnswer } from './auth.js';

/** Passkeys (docs/decisions/0019-passkeys.md): sign-in without a password, and the account's own list. */
export function passkeyRoutes(app: App, services: Services): void {
  app.post(
    '/auth/passkey/options',
    {
      config: { access: 'public', rateFamily: 'login' },
      schema: {
        tags: ['auth'],
        summary: 'Start signing in with a passkey: a single-use challenge for any passkey of this site',
        response: { 200: PasskeySignInOptionsResponse },
      },
    },
    async (request) => ({ options: await startPasskeySignIn(services, originOf(request)) }),
  );

  app.post(
    '/auth/passkey/login',
    {
      config: { access: 'public', rateFamily: 'login' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a passkey (user verification required); answered exactly like a login',
        body: PasskeySignInRequest,
        response: { 200: LoginResponse },
      },
    },
    async (request, reply) => {
      const { session, ...input } = request.body;
      const mode = session ?? 'bearer';
      const signedIn = await signInWithPasskey(services, { ...input, kind: mode }, originOf(request));
      return sessionAnswer(services, reply, signedIn, mode);
    },
  );

  app.get(
    '/me/passkeys',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['me'], summary: 'Your passkeys', response: { 200: PasskeyListResponse } },
    },
    async (request) => ({ passkeys: await listMyPasskeys(services, actorOf(request)) }),
  );

  app.post(
    '/me/passkeys/options',
    {
      config: { access: 'authenticated', rateFamily: 'login' },
      schema: {
        tags: ['me'],
        summary: 'Start adding a passkey (current password, and a code when two-factor authentication is on)',
        body: PasskeyRegistrationOptionsRequest,
        response: { 200: PasskeyRegistrationOptionsResponse },
      },
    },
    async (request) => ({
      options: await startPasskeyRegistration(services, actorOf(request), request.body, originOf(request)),
    }),
  );

  app.post(
    '/me/passkeys',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Finish adding a passkey: the new credential, checked against the challenge, and its name',
        body: PasskeyRegistrationRequest,
        response: { 201: PasskeyInfo },
      },
    },
    async (request, reply) => {
      const passkey = await finishPasskeyRegistration(services, actorOf(request), request.body);
      return reply.status(201).send(passkey);
    },
  );

  app.delete(
    '/me/passkeys/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['me'],
        summary: 'Remove one of your passkeys',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await removeMyPasskey(services, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
