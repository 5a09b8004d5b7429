import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ERROR_CODES, ROLES, isErrorCode, type ErrorCode } from '@enlets/protocol';
import { HTTP_STATUS } from '../../src/http/error-mapper.js';
import type { DB } from '../../src/storage/schema.js';
import { createActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Hostile input against every API route (`built.routes`, so routes added later are covered without editing
 * this file). The caller is an admin holding every role, so each request passes the auth hook and reaches body
 * parsing and validation. Every answer must be a catalogued 4xx in the one error shape, within a deadline, and
 * nothing may be written.
 */

const SEED = 20_260_101;
const NUM_RUNS = 25;
const REQUEST_TIMEOUT_MS = 10_000;
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Tables a bad request must never change. */
const TABLES = [
  'users',
  'user_roles',
  'sessions',
  'one_time_tokens',
  'countries',
  'agencies',
  'applications',
  'audit_log',
  'mail_queue',
] as const satisfies ReadonlyArray<keyof DB>;

interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly maxLength?: number;
  readonly format?: string;
  readonly pattern?: string;
  readonly $ref?: string;
}

interface RouteSpec {
  readonly method: string;
  readonly url: string;
  readonly params: readonly string[];
  readonly paramSchemas: Readonly<Record<string, JsonSchema>>;
  /** The JSON body schema from the OpenAPI document, when the route declares one. */
  readonly body: JsonSchema | undefined;
  /** The route takes raw bytes (application/octet-stream, e.g. upload chunks), not JSON: its own suite. */
  readonly binary: boolean;
  /** Bytes this route accepts (its own limit, or the app's). */
  readonly bodyLimit: number;
}

interface OpenApiOperation {
  readonly parameters?: ReadonlyArray<{
    readonly in: string;
    readonly name: string;
    readonly schema?: JsonSchema;
  }>;
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>> };
}
interface OpenApiDoc {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
}

function resolve(doc: OpenApiDoc, schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.$ref;
  if (ref === undefined) return schema;
  return doc.components?.schemas?.[ref.replace('#/components/schemas/', '')];
}

function routeSpecs(server: TestServer, doc: OpenApiDoc): RouteSpec[] {
  return server.built.routes.map((route) => {
    const params = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    const op = doc.paths[route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
    const paramSchemas: Record<string, JsonSchema> = {};
    for (const p of op?.parameters ?? []) if (p.in === 'path' && p.schema) paramSchemas[p.name] = p.schema;
    const body = resolve(doc, op?.requestBody?.content?.['application/json']?.schema);
    const binary = op?.requestBody?.content?.['application/octet-stream'] !== undefined;
    const bodyLimit = route.bodyLimit ?? server.config.bodyLimitBytes;
    return { method: route.method, url: route.url, params, paramSchemas, body, binary, bodyLimit };
  });
}

/** A value the param's schema accepts, so that a request gets past the path to the body. */
function placeholder(name: string, schema: JsonSchema | undefined): string {
  if (schema?.format === 'uuid' || name === 'id' || name.endsWith('Id')) return randomUUID();
  if (name === 'code' || name.toLowerCase().includes('country')) return 'DE';
  if (name.toLowerCase().includes('token')) return randomBytes(32).toString('base64url');
  return 'placeholder';
}

function pathOf(route: RouteSpec, override?: { readonly name: string; readonly value: string }): string {
  return route.url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) =>
    override?.name === name ? override.value : placeholder(name, route.paramSchemas[name]),
  );
}

interface RawResponse {
  readonly status: number;
  readonly text: string;
  readonly contentType: string;
}

interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** `null`: send no Content-Type header at all. */
  readonly contentType?: string | null;
}

describe('bad input on every route', () => {
  for (const dialect of DIALECTS) {
    describe(`http (all routes) [${dialect}]`, () => {
      let server: TestServer;
      let token: string;
      let routes: RouteSpec[];
      let before_: Readonly<Record<string, number>>;

      const countRows = async (): Promise<Record<string, number>> => {
        const counts: Record<string, number> = {};
        for (const table of TABLES) {
          const row = await server.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow();
          counts[table] = Number(row.n);
        }
        return counts;
      };

      const send = async (request: RawRequest): Promise<RawResponse> => {
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (request.contentType !== null) headers['content-type'] = request.contentType ?? 'application/json';
        const response = await fetch(`${server.url}${request.path}`, {
          method: request.method,
          headers,
          redirect: 'manual',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          // Needed by fetch for a streamed (chunked) body; ignored otherwise.
          duplex: 'half',
          ...(request.body === undefined ? {} : { body: request.body as string }),
        });
        return {
          status: response.status,
          text: await response.text(),
          contentType: response.headers.get('content-type') ?? '',
        };
      };

      /** Sends, and checks the answer is a catalogued client error (one of `expected`, when given). */
      const expectClientError = async (
        route: RouteSpec,
        request: RawRequest,
        expected?: readonly ErrorCode[],
      ): Promise<void> => {
        const what = `${route.method} ${route.url} (sent ${request.method} ${request.path.slice(0, 120)})`;
        const res = await send(request);
        assert.ok(res.status >= 400 && res.status < 500, `${what}: status ${String(res.status)} ${res.text}`);
        assert.match(res.contentType, /^application\/json/, `${what}: content-type ${res.contentType}`);
        const body = JSON.parse(res.text) as { error?: Record<string, unknown> };
        const error = body.error;
        assert.ok(error !== undefined, `${what}: no error object in ${res.text}`);
        assert.ok(isErrorCode(error['code']), `${what}: code ${String(error['code'])} is not in ERROR_CODES`);
        assert.equal(typeof error['message'], 'string', `${what}: message`);
        assert.ok(typeof error['requestId'] === 'string' && error['requestId'] !== '', `${what}: requestId`);
        assert.equal(HTTP_STATUS[error['code']], res.status, `${what}: status differs from the mapper's`);
        if (expected !== undefined) {
          assert.ok(
            expected.includes(error['code']),
            `${what}: ${error['code']}, expected ${expected.join('|')}`,
          );
        }
      };

      before(async () => {
        server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
        const admin = await createActor(server, {
          roles: ROLES.map((role) => ({
            role,
            ...(role === 'ncp' ? { scope: 'DE' } : role === 'tig_lead' ? { scope: 'tig-public-order' } : {}),
          })),
          countryCode: 'DE',
        });
        token = admin.token;
        const doc = await server.api.get<OpenApiDoc>('/api/docs/json');
        assert.equal(doc.status, 200);
        routes = routeSpecs(server, doc.body);
        before_ = await countRows();
      });
      after(() => server.close());

      /** Body-carrying routes, and of those the ones with a declared JSON body schema. */
      const bodyRoutes = (): RouteSpec[] => routes.filter((r) => BODY_METHODS.has(r.method) && !r.binary);
      const schemaRoutes = (): RouteSpec[] => bodyRoutes().filter((r) => r.body !== undefined);

      /**
       * One property over (route, input): every route is tried once with the first input as an example, then
       * NUM_RUNS random pairs follow.
       */
      const forEveryRoute = async <T>(
        pick: () => readonly RouteSpec[],
        input: fc.Arbitrary<T>,
        firstInput: (route: RouteSpec) => T,
        check: (route: RouteSpec, value: T) => Promise<void>,
      ): Promise<void> => {
        const list = pick();
        if (list.length === 0) return;
        await fc.assert(fc.asyncProperty(fc.constantFrom(...list), input, check), {
          seed: SEED,
          numRuns: NUM_RUNS,
          examples: list.map((route): [RouteSpec, T] => [route, firstInput(route)]),
          endOnFailure: true,
        });
      };

      it('has routes to test, each with its OpenAPI entry', () => {
        assert.ok(routes.length > 0);
        for (const route of schemaRoutes())
          assert.ok(route.body?.type === 'object', `${route.url} body type`);
      });

      it('answers malformed JSON with MALFORMED_JSON', async () => {
        const malformed = fc.oneof(
          fc.constantFrom(
            '{',
            '{"a":',
            "{'a':1}",
            '[1,]',
            'undefined',
            'NaN',
            '{"a":1}}',
            '{"a" 1}',
            ' ',
            '\t\n',
          ),
          fc.string({ maxLength: 40 }).filter((s) => !parsesAsJson(s)),
          fc.jsonValue().map((v) => `${JSON.stringify(v)},`),
        );
        await forEveryRoute(
          bodyRoutes,
          malformed,
          () => '{"unterminated": ',
          (route, text) =>
            expectClientError(route, { method: route.method, path: pathOf(route), body: text }, [
              'MALFORMED_JSON',
            ]),
        );
      });

      it('refuses a top-level array, string, number, boolean or null where an object is expected', async () => {
        const wrongType = fc.oneof(
          fc.array(fc.jsonValue(), { maxLength: 3 }),
          fc.string({ maxLength: 20 }),
          fc.integer(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.boolean(),
          fc.constant(null),
        );
        await forEveryRoute(
          schemaRoutes,
          wrongType,
          () => [],
          (route, value) =>
            expectClientError(
              route,
              { method: route.method, path: pathOf(route), body: JSON.stringify(value) },
              ['VALIDATION_FAILED'],
            ),
        );
      });

      it('refuses unknown fields', async () => {
        const extra = fc.tuple(
          fc.string({ minLength: 1, maxLength: 30 }).filter((k) => k !== '__proto__' && k !== 'constructor'),
          fc.jsonValue({ maxDepth: 2 }),
        );
        await forEveryRoute(
          schemaRoutes,
          extra,
          () => ['unexpectedField', 1] as [string, unknown],
          (route, [key, value]) => {
            const declared = Object.keys(route.body?.properties ?? {});
            const name = declared.includes(key) ? `${key}_unknown` : key;
            return expectClientError(
              route,
              { method: route.method, path: pathOf(route), body: JSON.stringify({ [name]: value }) },
              ['VALIDATION_FAILED'],
            );
          },
        );
      });

      it('refuses bodies over the size limit with PAYLOAD_TOO_LARGE', async () => {
        await forEveryRoute(
          bodyRoutes,
          fc.integer({ min: 1, max: server.config.bodyLimitBytes * 2 }),
          () => 1,
          (route, over) => {
            const size = route.bodyLimit + over;
            const filler = 'x'.repeat(Math.max(0, size - '{"k":""}'.length));
            return expectClientError(
              route,
              { method: route.method, path: pathOf(route), body: `{"k":"${filler}"}` },
              ['PAYLOAD_TOO_LARGE'],
            );
          },
        );
      });

      it('refuses a chunked body (no Content-Length) that grows over the size limit', async () => {
        for (const route of bodyRoutes()) {
          const limit = route.bodyLimit;
          // Up to a MiB past the limit: the server answers 413 there and stops reading; a client still writing
          // many more MiB then meets a closed socket before it reads the answer (EPIPE), as any client would.
          const over = Math.min(limit, 1_048_576);
          const chunk = new TextEncoder().encode('x'.repeat(8_192));
          let sent = 0;
          const stream = new ReadableStream<Uint8Array>({
            pull(controller) {
              if (sent === 0) controller.enqueue(new TextEncoder().encode('{"k":"'));
              if (sent > limit + over) {
                controller.enqueue(new TextEncoder().encode('"}'));
                controller.close();
                return;
              }
              controller.enqueue(chunk);
              sent += chunk.length;
            },
          });
          await expectClientError(route, { method: route.method, path: pathOf(route), body: stream }, [
            'PAYLOAD_TOO_LARGE',
          ]);
        }
      });

      it('refuses __proto__ and constructor.prototype keys at any depth, however escaped', async () => {
        const poison = fc.tuple(
          fc.constantFrom(
            '{"__proto__":{"x":1}}',
            '{"constructor":{"prototype":{"x":1}}}',
            '{"\\u005f_proto__":{"x":1}}',
            '{"constructor":{"\\u0070rototype":{"x":1}}}',
          ),
          fc.integer({ min: 0, max: 3 }),
          fc.boolean(),
        );
        await forEveryRoute(
          bodyRoutes,
          poison,
          () => ['{"__proto__":{"x":1}}', 0, false] as [string, number, boolean],
          async (route, [core, depth, inArray]) => {
            let text = core;
            for (let i = 0; i < depth; i += 1) text = `{"a${String(i)}":${text}}`;
            if (inArray) text = `[${text}]`;
            await expectClientError(route, { method: route.method, path: pathOf(route), body: text }, [
              'FORBIDDEN_KEY',
            ]);
            assert.equal((Object.prototype as Record<string, unknown>)['x'], undefined, 'prototype polluted');
          },
        );
        // Also the exact bodies named in the issue, once per route.
        for (const route of bodyRoutes()) {
          for (const text of ['{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}']) {
            await expectClientError(route, { method: route.method, path: pathOf(route), body: text }, [
              'FORBIDDEN_KEY',
            ]);
          }
        }
      });

      it('refuses bodies that are not valid UTF-8 with INVALID_ENCODING', async () => {
        const invalid = fc.constantFrom<readonly number[]>(
          [0xc3, 0x28],
          [0xff],
          [0xfe],
          [0xa0, 0xa1],
          [0xe2, 0x28, 0xa1],
          [0xf0, 0x28, 0x8c, 0xbc],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xf4, 0x90, 0x80, 0x80],
        );
        const where = fc.constantFrom('string value', 'key', 'bare');
        await forEveryRoute(
          bodyRoutes,
          fc.tuple(invalid, where),
          () => [[0xc3, 0x28], 'string value'] as [readonly number[], string],
          (route, [bytes, position]) => {
            const enc = new TextEncoder();
            const bad = Uint8Array.from(bytes);
            const parts =
              position === 'string value'
                ? [enc.encode('{"a":"'), bad, enc.encode('"}')]
                : position === 'key'
                  ? [enc.encode('{"'), bad, enc.encode('":1}')]
                  : [bad];
            const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
            let offset = 0;
            for (const p of parts) {
              body.set(p, offset);
              offset += p.length;
            }
            return expectClientError(route, { method: route.method, path: pathOf(route), body }, [
              'INVALID_ENCODING',
            ]);
          },
        );
      });

      it('refuses huge strings in every declared property', async () => {
        for (const route of schemaRoutes()) {
          const names = Object.keys(route.body?.properties ?? {});
          if (names.length === 0) continue;
          const huge = 'x'.repeat(Math.max(100_000, route.bodyLimit + 1));
          await expectClientError(
            route,
            {
              method: route.method,
              path: pathOf(route),
              body: JSON.stringify(Object.fromEntries(names.map((n) => [n, huge]))),
            },
            ['PAYLOAD_TOO_LARGE'],
          );
        }
        // Under the size limit, one property at a time: the schema's length limits answer instead.
        const withProps = (): RouteSpec[] =>
          schemaRoutes().filter((r) => Object.keys(r.body?.properties ?? {}).length > 0);
        await forEveryRoute(
          withProps,
          fc.tuple(
            fc.nat(),
            fc.integer({ min: 1_000, max: 30_000 }),
            fc.constantFrom('x', 'é', '😀', '\u0000'),
          ),
          () => [0, 30_000, 'x'] as [number, number, string],
          (route, [index, length, unit]) => {
            const names = Object.keys(route.body?.properties ?? {});
            const name = names[index % names.length]!;
            const body = JSON.stringify({ [name]: unit.repeat(length) });
            return expectClientError(route, { method: route.method, path: pathOf(route), body }, [
              'VALIDATION_FAILED',
              'PAYLOAD_TOO_LARGE',
            ]);
          },
        );
      });

      it('refuses content types other than JSON with UNSUPPORTED_MEDIA_TYPE', async () => {
        const types = fc.constantFrom<string | null>(
          'text/plain',
          'text/plain; charset=utf-8',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=xyz',
          'application/xml',
          'text/json',
          'application/octet-stream',
          'application/json-patch+json',
          'application/jsonx',
          'application/ld+json',
          'json',
          '',
          null,
        );
        await forEveryRoute(
          bodyRoutes,
          types,
          () => 'text/plain',
          (route, contentType) =>
            expectClientError(
              route,
              {
                method: route.method,
                path: pathOf(route),
                body: contentType === null ? new TextEncoder().encode('{}') : '{}',
                contentType,
              },
              ['UNSUPPORTED_MEDIA_TYPE'],
            ),
        );
      });

      it('refuses path parameters that are not what the route expects', async () => {
        const withParams = (): RouteSpec[] => routes.filter((r) => r.params.length > 0);
        const badValue = fc.oneof(
          fc.constantFrom(
            'not-a-uuid',
            '%00',
            'a%00b',
            '..%2F..%2Fetc%2Fpasswd',
            '..%5C..%5Cwindows',
            '%2e%2e%2f',
            '%zz',
            '%E0%A4%A',
            '%C3%28',
            'a'.repeat(500),
            encodeURIComponent('x'.repeat(199) + '/'),
            '00000000-0000-0000-0000-00000000000g',
            encodeURIComponent("' or 1=1 --"),
            '%F0%9F%98%80',
          ),
          fc.string({ minLength: 1, maxLength: 60 }).map((s) => encodeURIComponent(`!${s}`)),
        );
        await forEveryRoute(
          withParams,
          fc.tuple(fc.nat(), badValue),
          () => [0, 'not-a-uuid'] as [number, string],
          (route, [index, value]) => {
            const name = route.params[index % route.params.length]!;
            return expectClientError(route, {
              method: route.method,
              path: pathOf(route, { name, value }),
              ...(BODY_METHODS.has(route.method) ? { body: '{}' } : {}),
            });
          },
        );
      });

      it('wrote nothing and polluted no prototype', async () => {
        assert.deepEqual(await countRows(), before_);
        assert.equal((Object.prototype as Record<string, unknown>)['x'], undefined);
        assert.ok(Object.keys(ERROR_CODES).length > 0);
      });
    });
  }
});

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
