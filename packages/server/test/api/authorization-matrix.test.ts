import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { ROLES, type Role } from '@enlets/protocol';
import type { RouteInfo } from '../../src/app.js';
import { POLICY, type Permission } from '../../src/domain/policy.js';
import { updateUser } from '../../src/storage/repositories/users.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf, type ApiResponse } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Every API route against every role, from `built.routes` and the POLICY table, so a route added later is
 * checked without editing this file: a role outside POLICY[permission] gets exactly 403 FORBIDDEN, a role inside
 * it (or any signed-in account on an `authenticated` route) gets past authorization, and nobody signed out gets
 * past a non-public route.
 */

const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);
const SCOPES: Partial<Record<Role, string>> = { ncp: 'DE', tig_lead: 'tig-public-order' };

function isPermission(access: string): access is Permission {
  return Object.hasOwn(POLICY, access);
}

/** Placeholder path parameters: well-formed, naming nothing that exists. */
function pathOf(route: RouteInfo): string {
  return route.url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    if (name === 'code') return 'DE';
    if (name === 'token') return randomBytes(32).toString('base64url');
    return randomUUID();
  });
}

function call(server: TestServer, route: RouteInfo, token?: string): Promise<ApiResponse> {
  return server.api.call(route.method, pathOf(route), {
    ...(WRITE_METHODS.has(route.method) ? { body: {} } : {}),
    ...(token === undefined ? {} : { token }),
  });
}

const label = (route: RouteInfo): string => `${route.method} ${route.url}`;

describe('domain/policy', () => {
  it('names only known roles', () => {
    for (const [permission, roles] of Object.entries(POLICY)) {
      for (const role of roles)
        assert.ok((ROLES as readonly string[]).includes(role), `${permission}: ${role}`);
    }
  });
});

for (const dialect of DIALECTS) {
  describe(`authorization matrix [${dialect}]`, () => {
    let server: TestServer;
    let protectedRoutes: RouteInfo[];
    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      protectedRoutes = server.built.routes.filter((r) => r.access !== 'public');
    });
    after(() => server.close());

    const actorFor = (role: Role): Promise<TestActor> => {
      const scope = SCOPES[role];
      return createActor(server, { roles: [{ role, ...(scope === undefined ? {} : { scope }) }] });
    };

    it("declares every route's access as public, authenticated or a POLICY permission", () => {
      assert.ok(server.built.routes.length > 0);
      for (const route of server.built.routes) {
        assert.ok(
          route.access === 'public' || route.access === 'authenticated' || isPermission(route.access),
          `${label(route)}: access ${route.access}`,
        );
      }
    });

    it('answers 401 UNAUTHENTICATED to an anonymous caller on every non-public route', async () => {
      const wrong: string[] = [];
      for (const route of protectedRoutes) {
        const res = await call(server, route);
        if (res.status !== 401 || codeOf(res) !== 'UNAUTHENTICATED')
          wrong.push(`${label(route)}: ${String(res.status)} ${String(codeOf(res))}`);
      }
      assert.deepEqual(wrong, []);
    });

    it('never answers UNAUTHENTICATED to an anonymous caller on a public route', async () => {
      const wrong: string[] = [];
      for (const route of server.built.routes.filter((r) => r.access === 'public')) {
        const res = await call(server, route);
        if (res.status >= 500 || codeOf(res) === 'UNAUTHENTICATED')
          wrong.push(`${label(route)}: ${String(res.status)} ${String(codeOf(res))}`);
      }
      assert.deepEqual(wrong, []);
    });

    it('gives each role exactly what POLICY grants', async () => {
      const actors = new Map<Role, TestActor>();
      for (const role of ROLES) actors.set(role, await actorFor(role));
      const wrong: string[] = [];
      const rows: string[] = [];
      for (const route of protectedRoutes) {
        const cells: string[] = [];
        for (const role of ROLES) {
          const res = await call(server, route, actors.get(role)!.token);
          const code = codeOf(res);
          const allowed =
            route.access === 'authenticated' ||
            (isPermission(route.access) && (POLICY[route.access] as readonly Role[]).includes(role));
          if (allowed && (res.status === 401 || code === 'FORBIDDEN' || res.status >= 500))
            wrong.push(`${label(route)} as ${role}: ${String(res.status)} ${String(code)}, expected access`);
          if (!allowed && (res.status !== 403 || code !== 'FORBIDDEN'))
            wrong.push(
              `${label(route)} as ${role}: ${String(res.status)} ${String(code)}, expected 403 FORBIDDEN`,
            );
          cells.push(String(res.status).padStart(6));
          // A successful write (logout, leave, …) may end the actor's session: the next route gets a fresh one.
          if (res.status < 300 && route.method !== 'GET') actors.set(role, await actorFor(role));
        }
        rows.push(`${cells.join('')}  ${label(route)} [${route.access}]`);
      }
      const header = ROLES.map((r) => r.slice(0, 5).padStart(6)).join('');
      console.log(`authorization matrix [${dialect}] (HTTP status per role)\n${header}\n${rows.join('\n')}`);
      assert.deepEqual(wrong, []);
    });

    it("answers 401 to a suspended account's token on every non-public route", async () => {
      const actor = await createActor(server, {
        roles: ROLES.map((role) => {
          const scope = SCOPES[role];
          return { role, ...(scope === undefined ? {} : { scope }) };
        }),
      });
      await updateUser(server.database.db, actor.id, { status: 'suspended' }, server.clock.now());
      const wrong: string[] = [];
      for (const route of protectedRoutes) {
        const res = await call(server, route, actor.token);
        if (res.status !== 401 || codeOf(res) !== 'UNAUTHENTICATED')
          wrong.push(`${label(route)}: ${String(res.status)} ${String(codeOf(res))}`);
      }
      assert.deepEqual(wrong, []);
    });
  });
}
