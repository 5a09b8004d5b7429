import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Actor } from '../domain/actor.js';
import type { Permission } from '../domain/policy.js';

/** The Fastify instance every route module receives. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * Who may call a route: anyone (`public`), any signed-in active account (`authenticated`), or holders of a
 * permission of the policy table. Every API route must declare one; `app.ts` refuses to start otherwise.
 */
export type Access = 'public' | 'authenticated' | Permission;

/** Rate-limit family of a route (see plugins/rate-limit.ts). */
export type RateFamily = 'default' | 'login' | 'public_form';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    rateFamily?: RateFamily;
  }
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

/** The actor of a route whose access is not `public` (the auth hook has already refused anonymous calls). */
export function actorOf(request: { actor: Actor | undefined }): Actor {
  if (request.actor === undefined) throw new Error('actorOf() on a public route');
  return request.actor;
}
