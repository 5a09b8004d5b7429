import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pino, type Logger } from 'pino';
import { API_PREFIX } from '@enlets/protocol';
import type { Config } from './config/config.js';
import type { Clock } from './lib/clock.js';
import { loggerOptions } from './lib/logger.js';
import { createServices } from './services-factory.js';
import type { Database } from './storage/dialects/index.js';
import type { Services } from './domain/services.js';
import { InProcessBus, type EventBus } from './domain/events.js';
import { DomainError } from './domain/errors.js';
import { errorBody, handleError } from './http/error-mapper.js';
import { registerJsonBodyParser } from './http/plugins/json-body.js';
import { registerValidation } from './http/plugins/validation.js';
import { registerAuth } from './http/plugins/auth.js';
import { registerRateLimit } from './http/plugins/rate-limit.js';
import { registerOpenApi } from './http/openapi.js';
import { healthRoutes, SERVER_VERSION } from './http/routes/health.js';
import { registerApiRoutes } from './http/routes/index.js';
import type { Access, App } from './http/types.js';
import { registerWebClient } from './http/web-client.js';
import { RealtimeGateway, type GatewayLimits } from './realtime/gateway.js';
import { PushDispatcher } from './push/dispatcher.js';
import { LocalPublishTap } from './push/local-tap.js';

export interface AppDeps {
  readonly config: Config;
  readonly database: Database;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Set by the server process once a mail worker runs; the default does nothing (mail waits in the queue). */
  readonly wakeMailer?: () => void;
  /** The cluster bus (Redis or NATS); one process uses an in-process bus. */
  readonly bus?: EventBus;
  /** Limits of the WebSocket gateway (send queue, rates, heartbeats); defaults in realtime/gateway.ts. */
  readonly realtime?: Partial<GatewayLimits>;
}

/** A registered API route and who may call it (the authorization-matrix and fuzz suites walk this list). */
export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
  /** The route's own body limit when it sets one (bytes); the app's `bodyLimitBytes` otherwise. */
  readonly bodyLimit?: number;
}

export interface BuiltApp {
  readonly app: App;
  readonly services: Services;
  readonly routes: readonly RouteInfo[];
  /** The WebSocket gateway at /api/v1/ws, attached to the app's HTTP server (closed with the app: 1001). */
  readonly gateway: RealtimeGateway;
  /** Wakes offline devices by Web Push after the events this process commits (ADR 0018). */
  readonly push: PushDispatcher;
  /** Marks the app as shutting down: /ready answers 503 so a load balancer stops sending new requests. */
  beginShutdown(): void;
}

/** The whole HTTP application without a listening socket (tests use it through `inject` or `listen(0)`). */
export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const log = deps.log ?? pino(loggerOptions(deps.config.logLevel));
  // Web Push acts once per event, so it hears what this process publishes, not the whole cluster's bus.
  const bus = new LocalPublishTap(deps.bus ?? new InProcessBus());
  const services: Services = createServices({ ...deps, log, bus });
  const push = new PushDispatcher(services);
  bus.onLocalPublish((message) => push.note(message));
  let shuttingDown = false;

  const fastify = Fastify({
    loggerInstance: log,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    // Bounded time for a slow client to send its request; keeps idle sockets from piling up.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Requests that reach a closing server get our SERVICE_UNAVAILABLE body from the hook below, not Fastify's.
    return503OnClosing: false,
    // Errors the router raises before any route matches (a bad %-escape, an over-long path parameter) would
    // otherwise get Fastify's own body; route them through the one error mapper.
    frameworkErrors: (error, request, reply) => {
      handleError(error, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const app = fastify as unknown as App;
  const base = fastify as unknown as FastifyInstance;
  const gateway = new RealtimeGateway(services, deps.realtime);
  gateway.attach(base.server);
  base.addHook('preClose', async () => {
    await gateway.close();
    await push.close();
  });

  base.setErrorHandler(handleError);
  base.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('ROUTE_NOT_FOUND', request.id));
  });
  // While draining, new requests on kept-alive connections are refused in the one error shape (/ready still
  // answers, with its 503 "not_ready", and /health), and the connection is closed so the client goes elsewhere.
  base.addHook('onRequest', async (request, reply) => {
    if (!shuttingDown || request.routeOptions.url === '/ready' || request.routeOptions.url === '/health')
      return;
    void reply.header('connection', 'close');
    throw new DomainError('SERVICE_UNAVAILABLE', 'the server is shutting down');
  });
  base.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // A route may set a stricter value of its own (blob downloads: `private, no-store`).
    if (request.url.startsWith('/api/v1') && !reply.hasHeader('cache-control'))
      void reply.header('cache-control', 'no-store');
  });
  // Every API route must say who may call it; a route without `access` would be a silent hole.
  const routes: RouteInfo[] = [];
  base.addHook('onRoute', (route) => {
    if (!route.url.startsWith(API_PREFIX)) return;
    const access = route.config?.access;
    if (access === undefined)
      throw new Error(`route ${route.method.toString()} ${route.url} declares no access`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD')
        routes.push({
          method,
          url: route.url,
          access,
          ...(route.bodyLimit === undefined ? {} : { bodyLimit: route.bodyLimit }),
        });
    }
  });

  registerJsonBodyParser(base);
  registerValidation(base);
  await base.register(cookie);
  await base.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: true,
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
  });
  await registerRateLimit(base, services);
  registerAuth(base, services);
  await registerOpenApi(base, SERVER_VERSION);

  healthRoutes(app, services, () => shuttingDown);
  await app.register(
    (api, _options, done) => {
      registerApiRoutes(api, services);
      done();
    },
    { prefix: API_PREFIX },
  );
  await registerWebClient(base, { publicUrl: deps.config.publicUrl, webDir: deps.config.webDir });
  await app.ready();

  return {
    app,
    services,
    routes,
    gateway,
    push,
    beginShutdown() {
      shuttingDown = true;
    },
  };
}
