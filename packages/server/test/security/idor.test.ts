import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  ClientFrame,
  type CompleteUploadResponse,
  type SendEventAck,
  type UploadStatus,
} from '@enlets/protocol';
import type { RouteInfo } from '../../src/app.js';
import { encodeSyncToken } from '../../src/domain/sync-token.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { newClientId, payload } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import type { ApiResponse } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connectWs, settle, type Frame, type WsClient } from '../helpers/ws.js';

/**
 * Insecure direct object references (issue 3, "Authorization"): Mallory, a member of conversation A only, asks
 * for conversation B's messages, members, receipts, pins, reactions, bookmarks and attachments by id. Every
 * route that takes a conversation, channel, broadcast, upload or blob id is found in `built.routes` (a route
 * added later is covered without editing this file, and a new kind of id-taking route fails the classification
 * test until it is placed), every frame type that takes a conversation id is found in the `ClientFrame` union.
 * Asked with B's id, nothing succeeds, and the answer is the one for an id that exists nowhere: same status,
 * code, message and details. No event, receipt or typing notice of B reaches Mallory's socket.
 */

/** Routes whose `:id` is a conversation (channels and broadcasts are conversations). */
const CONVERSATION_PATH = /^\/api\/v1\/(conversations|channels|broadcasts)\/:id(\/|$)/;
/** Routes whose `:id` is an upload or a blob (an upload's id becomes its blob's id). */
const BLOB_PATH = /^\/api\/v1\/(uploads|blobs)\/:id(\/|$)/;
/** A JSON body property naming a conversation: the route is probed with B's id there too. */
const CONVERSATION_PROPERTY = /conversationId$/i;
/**
 * Id-taking routes outside this suite, by path prefix, each with where its ids are guarded. A new id-taking
 * route that matches neither the patterns above nor this list fails the classification test.
 */
const ELSEWHERE: ReadonlyArray<readonly [prefix: string, reason: string]> = [
  ['/api/v1/me/sessions/', "one's own sessions (accessed by owner; test/api/auth-sessions)"],
  ['/api/v1/me/passkeys/', "one's own passkeys (deleted by owner and id together; test/passkeys)"],
  ['/api/v1/activation/', 'a public one-time token (test/api/activation)'],
  ['/api/v1/countries/', 'public reference data (test/api/directory)'],
  ['/api/v1/applications/', 'accessApplicationById, by vetting scope (test/api/applications)'],
  ['/api/v1/members/', 'the member directory, by role (test/api/members, authorization-matrix)'],
  ['/api/v1/admin/', 'administrators only (authorization-matrix)'],
  [
    '/api/v1/e2ee/',
    'users by accessE2eePeer, Welcomes by owning device, backup and archive the caller’s own rows only: NOT_FOUND alike (test/api/e2ee-*)',
  ],
];
/**
 * (route, variant) pairs where answering differently is the product, not a leak: a listed channel is in the
 * directory, so anyone may ask to join it (a request, or at once when it is open).
 */
const BY_DESIGN: ReadonlySet<string> = new Set(['POST /api/v1/channels/:id/join listedClosed']);

interface JsonSchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly minProperties?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly pattern?: string;
  readonly examples?: readonly unknown[];
  readonly $ref?: string;
}
interface OpenApiOperation {
  readonly parameters?: ReadonlyArray<{
    readonly in: string;
    readonly name: string;
    readonly required?: boolean;
    readonly schema?: JsonSchema;
  }>;
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>> };
}
interface OpenApiDoc {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
}

interface IdRoute {
  readonly route: RouteInfo;
  readonly label: string;
  readonly op: OpenApiOperation | undefined;
  readonly body: JsonSchema | undefined;
  readonly binary: boolean;
  /** What `:id` names, if the route has one this suite probes. */
  readonly pathId: 'conversation' | 'blob' | undefined;
  /** JSON body properties naming a conversation. */
  readonly bodyIds: readonly string[];
}

/** The values a minimal valid request is built from. */
interface Fill {
  /** Every property matching CONVERSATION_PROPERTY. */
  readonly conversationId: string;
  /** `:userId` and user ids in bodies. */
  readonly userId: string;
  /** `:seq`, and `seq` in bodies and queries. */
  readonly seq: number;
}

function resolveRef(doc: OpenApiDoc, schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.$ref;
  return ref === undefined ? schema : doc.components?.schemas?.[ref.replace('#/components/schemas/', '')];
}

function classify(doc: OpenApiDoc, route: RouteInfo): IdRoute {
  const op = doc.paths[route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
  const content = op?.requestBody?.content;
  const body = resolveRef(doc, content?.['application/json']?.schema);
  return {
    route,
    label: `${route.method} ${route.url}`,
    op,
    body,
    binary: content?.['application/octet-stream'] !== undefined,
    pathId: CONVERSATION_PATH.test(route.url)
      ? 'conversation'
      : BLOB_PATH.test(route.url)
        ? 'blob'
        : undefined,
    bodyIds: Object.keys(body?.properties ?? {}).filter((name) => CONVERSATION_PROPERTY.test(name)),
  };
}

/** A string the schema accepts, preferring `preferred`; throws when none fits (give the route a value). */
function stringFor(name: string, schema: JsonSchema, preferred: readonly string[]): string {
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u');
  // A schema's own examples first: MLS byte strings must start with their wire format (protocol/http/e2ee.ts).
  const examples = (schema.examples ?? []).filter((e): e is string => typeof e === 'string');
  const candidates = [
    ...preferred,
    ...examples,
    'Probe value',
    'x'.repeat(Math.max(1, schema.minLength ?? 1)),
    'aGk=',
  ];
  const fit = candidates.find(
    (s) =>
      (pattern === undefined || pattern.test(s)) &&
      s.length >= (schema.minLength ?? 0) &&
      s.length <= (schema.maxLength ?? Infinity),
  );
  if (fit === undefined) throw new Error(`no value for ${name} (${JSON.stringify(schema)})`);
  return fit;
}

/** A minimal value the schema accepts: required properties only (or the first one under minProperties). */
function valueFor(name: string, schema: JsonSchema | undefined, fill: Fill): unknown {
  if (schema === undefined) return undefined;
  if (schema.anyOf !== undefined) return valueFor(name, schema.anyOf[0], fill);
  if (schema.enum !== undefined) {
    const wanted: Readonly<Record<string, unknown>> = { kind: 'message', role: 'member' };
    return schema.enum.includes(wanted[name]) ? wanted[name] : schema.enum[0];
  }
  switch (schema.type) {
    case 'object': {
      const props = schema.properties ?? {};
      const names = [...(schema.required ?? [])];
      if (names.length < (schema.minProperties ?? 0)) names.push(...Object.keys(props).slice(0, 1));
      return Object.fromEntries(names.map((n) => [n, valueFor(n, props[n], fill)]));
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 0) }, () =>
        valueFor(name.replace(/s$/, ''), schema.items, fill),
      );
    case 'integer':
    case 'number':
      return name === 'seq' ? fill.seq : Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'string':
      if (CONVERSATION_PROPERTY.test(name)) return fill.conversationId;
      if (name === 'clientMessageId') return newClientId();
      if (name === 'payload') return payload('probe');
      return stringFor(name, schema, /^[0-9a-f-]{36}$/.test(fill.userId) ? [fill.userId] : []);
    case undefined:
    default:
      throw new Error(`no value for ${name} (${JSON.stringify(schema)})`);
  }
}

/** The id in a create-conversation answer. */
function idOf(res: ApiResponse): string {
  return (res.body['conversation'] as { id: string }).id;
}

interface Answer {
  readonly status: number;
  readonly code: unknown;
  readonly message: unknown;
  readonly details: string;
}

/** The answer with the probed id blanked out, so "not yours" and "does not exist" compare as equals. */
function answerOf(res: ApiResponse, ids: readonly string[]): Answer {
  const error = (res.body as { error?: Record<string, unknown> }).error ?? {};
  const blank = (s: string): string => ids.reduce((t, id) => t.replaceAll(id, '<id>'), s);
  return {
    status: res.status,
    code: error['code'],
    message: typeof error['message'] === 'string' ? blank(error['message']) : error['message'],
    details: blank(JSON.stringify(error['details'] ?? null)),
  };
}

/** A variant of conversation B: Mallory is in none of them. */
interface Variant {
  readonly name: string;
  readonly id: string;
  readonly listed: boolean;
  /** A message of Bob's in it (reacted to, pinned, bookmarked, read). */
  readonly seq: number;
}

for (const dialect of DIALECTS) {
  describe(`security/idor [${dialect}]`, () => {
    let server: TestServer;
    let doc: OpenApiDoc;
    let mallory: TestActor;
    let bob: TestActor;
    let carol: TestActor;
    let dave: TestActor;
    /** Mallory's own group, with Bob: fan-out bugs keyed on a shared member would show. */
    let convA: string;
    let seqA: number;
    const variants: Variant[] = [];
    /** Bob's blob attached to a message in the B group, and an upload of his still open there. */
    let blobB: string;
    let openUploadB: string;
    const counts = { http: 0, frames: 0 };

    const sendEvent = async (
      actor: TestActor,
      conversationId: string,
      event: Readonly<Record<string, unknown>>,
    ): Promise<number> => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), payload: payload('secret of B'), kind: 'message', ...event },
        { token: actor.token },
      );
      assert.equal(res.status, 200, `send ${JSON.stringify(event)}: ${JSON.stringify(res.body)}`);
      return res.body.seq;
    };

    const ok = async (res: Promise<ApiResponse>, what: string): Promise<ApiResponse> => {
      const answer = await res;
      assert.ok(answer.status < 300, `${what}: ${String(answer.status)} ${JSON.stringify(answer.body)}`);
      return answer;
    };

    const createChannel = async (body: Readonly<Record<string, unknown>>): Promise<string> => {
      const res = await ok(
        server.api.post(
          '/api/v1/channels',
          {
            name: `B ${String(body['joinMode'])}`,
            tlp: 'GREEN',
            readOnly: false,
            leaveAllowed: true,
            scopeKind: 'adhoc',
            ...body,
          },
          { token: bob.token },
        ),
        'create channel',
      );
      const id = String(res.body['id']);
      await ok(
        server.api.post(
          `/api/v1/channels/${id}/members`,
          { userIds: [carol.id, dave.id] },
          { token: bob.token },
        ),
        'invite',
      );
      return id;
    };

    /** Messages, a thread reply, a reaction, a pin, a bookmark and read positions, as B's members make them. */
    const populate = async (name: string, id: string, listed: boolean, broadcast = false): Promise<void> => {
      const seq = await sendEvent(bob, id, {});
      await sendEvent(bob, id, { threadRootSeq: seq });
      if (!broadcast) {
        await sendEvent(carol, id, { refSeq: seq });
        await sendEvent(carol, id, { kind: 'reaction', refSeq: seq });
        await sendEvent(bob, id, { kind: 'pin', refSeq: seq });
      }
      await ok(
        server.api.put(`/api/v1/conversations/${id}/bookmarks/${String(seq)}`, undefined, {
          token: carol.token,
        }),
        'bookmark',
      );
      await ok(server.api.post(`/api/v1/conversations/${id}/read`, { seq }, { token: carol.token }), 'read');
      variants.push({ name, id, listed, seq });
    };

    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      [mallory, bob, carol, dave] = [
        await createActor(server, { displayName: 'Mallory' }),
        await createActor(server, { displayName: 'Bob' }),
        await createActor(server, { displayName: 'Carol' }),
        await createActor(server, { displayName: 'Dave' }),
      ];
      const docRes = await server.api.get<OpenApiDoc>('/api/docs/json');
      assert.equal(docRes.status, 200);
      doc = docRes.body;

      const a = await ok(
        server.api.post(
          '/api/v1/conversations',
          { kind: 'group', name: 'A', memberIds: [bob.id] },
          { token: mallory.token },
        ),
        'create A',
      );
      convA = idOf(a);
      seqA = await sendEvent(mallory, convA, {});

      const group = await ok(
        server.api.post(
          '/api/v1/conversations',
          { kind: 'group', name: 'B', memberIds: [carol.id, dave.id] },
          { token: bob.token },
        ),
        'create B group',
      );
      await populate('group', idOf(group), false);
      const direct = await ok(
        server.api.post('/api/v1/conversations', { kind: 'direct', userId: carol.id }, { token: bob.token }),
        'create B direct',
      );
      await populate('direct', idOf(direct), false);
      await populate('hiddenClosed', await createChannel({ joinMode: 'closed', listed: false }), false);
      await populate('hiddenOpen', await createChannel({ joinMode: 'open', listed: false }), false);
      await populate(
        'hiddenPassword',
        await createChannel({ joinMode: 'password', password: 'correct horse battery', listed: false }),
        false,
      );
      await populate('listedClosed', await createChannel({ joinMode: 'closed', listed: true }), true);
      const broadcast = await ok(
        server.api.post(
          '/api/v1/broadcasts',
          { name: 'B bulletin', recipientIds: [carol.id, dave.id] },
          { token: bob.token },
        ),
        'create B broadcast',
      );
      await populate('broadcast', String(broadcast.body['conversationId']), false, true);

      // An attachment in the B group, and an upload Bob has not finished there.
      const groupB = variants[0]!.id;
      const file = Buffer.from('attachment of B');
      const opened = await ok(
        server.api.post<UploadStatus>(
          '/api/v1/uploads',
          { size: file.length, conversationId: groupB },
          { token: bob.token },
        ),
        'upload',
      );
      const uploadId = (opened.body as unknown as UploadStatus).uploadId;
      await ok(
        server.api.call('PUT', `/api/v1/uploads/${uploadId}/chunks/0`, {
          rawBody: file,
          token: bob.token,
          headers: { 'content-type': 'application/octet-stream' },
        }),
        'chunk',
      );
      const done = await ok(
        server.api.post(`/api/v1/uploads/${uploadId}/complete`, undefined, { token: bob.token }),
        'complete',
      );
      blobB = (done.body as unknown as CompleteUploadResponse).blobId;
      await sendEvent(bob, groupB, { attachments: [blobB] });
      const open = await ok(
        server.api.post('/api/v1/uploads', { size: 10, conversationId: groupB }, { token: bob.token }),
        'open upload',
      );
      openUploadB = (open.body as unknown as UploadStatus).uploadId;
    });
    after(() => server.close());

    const idRoutes = (): IdRoute[] =>
      server.built.routes
        .map((r) => classify(doc, r))
        .filter((r) => r.pathId !== undefined || r.bodyIds.length > 0);

    /** Calls a route as Mallory with the given `:id` and fill values; a minimal valid request otherwise. */
    const call = (r: IdRoute, id: string, fill: Fill): Promise<ApiResponse> => {
      const path = r.route.url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
        if (name === 'id') return id;
        if (name === 'userId') return fill.userId;
        if (name === 'seq') return String(fill.seq);
        if (name === 'index') return '0';
        throw new Error(`${r.label}: no value for :${name}`);
      });
      const query = (r.op?.parameters ?? [])
        .filter((p) => p.in === 'query' && p.required === true)
        .map((p) => `${p.name}=${encodeURIComponent(String(valueFor(p.name, p.schema, fill)))}`);
      const url = query.length === 0 ? path : `${path}?${query.join('&')}`;
      if (r.binary) {
        return server.api.call(r.route.method, url, {
          rawBody: Buffer.from('x'),
          token: mallory.token,
          headers: { 'content-type': 'application/octet-stream' },
        });
      }
      const body = r.body === undefined ? undefined : valueFor('body', r.body, fill);
      return server.api.call(r.route.method, url, {
        ...(body === undefined ? {} : { body }),
        token: mallory.token,
      });
    };

    /**
     * Asks once with `secret` (something of B's) and once with an id that exists nowhere, and returns what is
     * wrong: a success for B, a difference between the two answers, or an unknown id not answered `expected`.
     */
    const compare = async (
      what: string,
      ask: (id: string) => Promise<ApiResponse>,
      secret: string,
      expected: { readonly status: number; readonly code: string } = { status: 404, code: 'NOT_FOUND' },
    ): Promise<string[]> => {
      const unknown = randomUUID();
      const forSecret = answerOf(await ask(secret), [secret]);
      const forUnknown = answerOf(await ask(unknown), [unknown]);
      counts.http += 1;
      const wrong: string[] = [];
      if (forSecret.status < 300) wrong.push(`${what}: succeeded (${String(forSecret.status)})`);
      if (forUnknown.status !== expected.status || forUnknown.code !== expected.code) {
        wrong.push(`${what}: unknown id answered ${JSON.stringify(forUnknown)}, expected ${expected.code}`);
      }
      if (JSON.stringify(forSecret) !== JSON.stringify(forUnknown)) {
        wrong.push(
          `${what}: B ${JSON.stringify(forSecret)} differs from unknown ${JSON.stringify(forUnknown)}`,
        );
      }
      return wrong;
    };

    it('places every id-taking route: probed here, or listed with where it is guarded', () => {
      const unplaced: string[] = [];
      for (const route of server.built.routes) {
        const r = classify(doc, route);
        const takesId = route.url.includes('/:') || r.bodyIds.length > 0;
        const probed = r.pathId !== undefined || r.bodyIds.length > 0;
        if (takesId && !probed && !ELSEWHERE.some(([prefix]) => route.url.startsWith(prefix)))
          unplaced.push(r.label);
      }
      assert.deepEqual(unplaced, [], 'id-taking routes neither probed here nor listed in ELSEWHERE');
      // The suite is not vacuous: the routes the issue names are among those probed.
      const labels = idRoutes().map((r) => r.label);
      for (const expected of [
        'GET /api/v1/conversations/:id/events',
        'GET /api/v1/conversations/:id/receipts',
        'GET /api/v1/conversations/:id/pins',
        'GET /api/v1/channels/:id/members',
        'POST /api/v1/conversations/:id/events/:seq/forward',
        'GET /api/v1/blobs/:id',
        'POST /api/v1/conversations/:id/mls/commits',
        'GET /api/v1/conversations/:id/mls/group-info',
      ])
        assert.ok(labels.includes(expected), `${expected} is not probed`);
    });

    it("answers B's id on every conversation, channel and broadcast route exactly like an unknown id", async () => {
      const wrong: string[] = [];
      let routes = 0;
      for (const r of idRoutes().filter((x) => x.pathId === 'conversation')) {
        routes += 1;
        for (const v of variants) {
          if (BY_DESIGN.has(`${r.label} ${v.name}`)) continue;
          // Body ids (a forward's target) point at Mallory's own A: only the path id is B's here.
          const fill: Fill = { conversationId: convA, userId: carol.id, seq: v.seq };
          wrong.push(...(await compare(`${r.label} [${v.name}]`, (id) => call(r, id, fill), v.id)));
        }
      }
      console.log(
        `idor [${dialect}]: ${String(routes)} conversation routes × ${String(variants.length)} kinds of B`,
      );
      assert.deepEqual(wrong, []);
    });

    it("answers B's id in a body (forward target, upload) exactly like an unknown id", async () => {
      const wrong: string[] = [];
      const routes = idRoutes().filter((r) => r.bodyIds.length > 0);
      assert.ok(routes.length >= 2, routes.map((r) => r.label).join(', '));
      for (const r of routes) {
        for (const v of variants) {
          // The path (a forward's source) is Mallory's A and its message; the body names B.
          wrong.push(
            ...(await compare(
              `${r.label} body ${r.bodyIds.join(',')} [${v.name}]`,
              (id) => call(r, convA, { conversationId: id, userId: carol.id, seq: seqA }),
              v.id,
            )),
          );
        }
      }
      assert.deepEqual(wrong, []);
    });

    it("answers B's blob and Bob's upload on every blob and upload route exactly like an unknown id", async () => {
      const wrong: string[] = [];
      const routes = idRoutes().filter((r) => r.pathId === 'blob');
      assert.ok(routes.length >= 4, routes.map((r) => r.label).join(', '));
      const fill: Fill = { conversationId: convA, userId: carol.id, seq: 1 };
      for (const r of routes) {
        for (const [name, id] of [
          ['blob', blobB],
          ['open upload', openUploadB],
        ] as const) {
          wrong.push(...(await compare(`${r.label} [${name}]`, (x) => call(r, x, fill), id)));
        }
      }
      // Attaching B's blob to a message in A, which would make it downloadable by Mallory.
      wrong.push(
        ...(await compare(
          'POST /api/v1/conversations/:id/events with attachments [B blob] in A',
          (id) =>
            server.api.post(
              `/api/v1/conversations/${convA}/events`,
              { clientMessageId: newClientId(), kind: 'message', payload: payload('x'), attachments: [id] },
              { token: mallory.token },
            ),
          blobB,
          { status: 400, code: 'INVALID_REFERENCE' },
        )),
      );
      // A blob download answers the same bytes-free error shape for both.
      const download = await server.api.get(`/api/v1/blobs/${blobB}`, { token: mallory.token });
      assert.equal(download.status, 404);
      assert.ok(!JSON.stringify(download.body).includes('attachment of B'));
      assert.deepEqual(wrong, []);
    });

    it('never lists anything of a hidden B on the id-free routes, nor in a sync from a forged token', async () => {
      const hidden = [...variants.filter((v) => !v.listed).map((v) => v.id), blobB, openUploadB];
      const leaks: string[] = [];
      const lists = server.built.routes.filter(
        (r) => r.method === 'GET' && !r.url.includes('/:') && r.access !== 'public',
      );
      for (const route of lists) {
        const res = await server.api.get(route.url, { token: mallory.token });
        assert.ok(res.status < 500, `${route.url}: ${String(res.status)}`);
        const text = JSON.stringify(res.body);
        for (const id of hidden) if (text.includes(id)) leaks.push(`GET ${route.url} names ${id}`);
      }
      // A sync token is opaque but not signed: one that names B must yield nothing of B, and be treated like
      // one naming a conversation that does not exist.
      for (const v of variants) {
        const unknown = randomUUID();
        const forged = (id: string): string =>
          encodeSyncToken({
            issuedAt: server.clock.now(),
            seqs: new Map([
              [convA, 0],
              [id, 0],
            ]),
          });
        const [withB, withUnknown] = await Promise.all(
          [v.id, unknown].map((id) =>
            server.api.post('/api/v1/sync', { token: forged(id) }, { token: mallory.token }),
          ),
        );
        assert.equal(withB!.status, 200);
        const events = (withB!.body['events'] as Array<{ conversationId: string }>).map(
          (e) => e.conversationId,
        );
        if (events.includes(v.id))
          leaks.push(`POST /sync with a forged token returned events of B [${v.name}]`);
        const left = (r: ApiResponse, id: string): string =>
          JSON.stringify(r.body['leftConversationIds']).replaceAll(id, '<id>');
        if (left(withB!, v.id) !== left(withUnknown!, unknown))
          leaks.push(`POST /sync treats B [${v.name}] differently from an unknown id`);
        counts.http += 1;
      }
      assert.deepEqual(leaks, []);
    });

    describe('over the WebSocket', () => {
      let malloryWs: WsClient;
      let bobWs: WsClient;
      let carolWs: WsClient;

      before(async () => {
        // The probes come faster than the default 30 frames/s; rate limits have their own suite.
        const gateway = server.built.gateway;
        const previous = gateway.limits.rate;
        gateway.configure({
          rate: {
            perSecond: 10_000,
            burst: 10_000,
            writesPerSecond: 10_000,
            writeBurst: 10_000,
            floodCloseMs: 60_000,
          },
        });
        malloryWs = await connectWs(server, { token: mallory.token });
        bobWs = await connectWs(server, { token: await newSession(server, bob) });
        carolWs = await connectWs(server, { token: await newSession(server, carol) });
        gateway.configure({ rate: previous });
      });
      after(async () => {
        for (const c of [malloryWs, bobWs, carolWs]) await c.close();
      });

      it("answers a delivered report naming B exactly like one naming an unknown id (nothing), and stores nothing of B's", async () => {
        const answers: string[] = [];
        for (const v of variants) {
          for (const id of [v.id, randomUUID()]) {
            const from = malloryWs.frames.length;
            malloryWs.send({ type: 'delivered', positions: [{ conversationId: id, seq: v.seq }] });
            const pong = await malloryWs.request({ type: 'ping' });
            answers.push(JSON.stringify(malloryWs.frames.slice(from, malloryWs.frames.indexOf(pong))));
          }
          counts.frames += 1;
        }
        await server.built.gateway.flushDeliveries();
        assert.deepEqual(new Set(answers), new Set(['[]']), 'no answer, for B as for an unknown id');
        const stored = await server.built.services.db
          .selectFrom('delivery_positions')
          .select('conversation_id')
          .where('user_id', '=', mallory.id)
          .execute();
        assert.deepEqual(
          stored.filter((r) => variants.some((v) => v.id === r.conversation_id)),
          [],
        );
      });

      /** Error frames the connection got in answer to `frame` (frames are handled in order: a ping fences). */
      const answerTo = async (frame: Readonly<Record<string, unknown>>): Promise<Frame[]> => {
        const from = malloryWs.frames.length;
        malloryWs.send(frame);
        const pong = await malloryWs.request({ type: 'ping' });
        const to = malloryWs.frames.indexOf(pong);
        return malloryWs.frames.slice(from, to).filter((f) => f.type === 'error');
      };

      const FRAMES: Readonly<
        Record<string, (conversationId: string, seq: number, requestId: string) => Record<string, unknown>>
      > = {
        send: (conversationId, _seq, requestId) => ({
          type: 'send',
          requestId,
          conversationId,
          event: { clientMessageId: newClientId(), kind: 'message', payload: payload('probe') },
        }),
        read: (conversationId, seq) => ({ type: 'read', conversationId, seq }),
        typing: (conversationId) => ({ type: 'typing', conversationId }),
      };

      it('answers every frame that takes a conversation id with the same error for B as for an unknown id, and leaks nothing of B', async () => {
        const withId = ClientFrame.anyOf
          .filter((s) => Object.hasOwn(s.properties, 'conversationId'))
          .map((s) => String((s.properties as { type: { const: unknown } }).type.const));
        assert.deepEqual(
          withId.sort(),
          Object.keys(FRAMES).sort(),
          'a frame type with a conversationId has no probe',
        );

        // B stays busy while Mallory probes: messages, reactions, typing and receipts of B's members.
        const bSeqs = new Map<string, number[]>();
        const activity = (async () => {
          for (let round = 0; round < 3; round += 1) {
            for (const v of variants) {
              const seq = await sendEvent(bob, v.id, {});
              bSeqs.set(v.id, [...(bSeqs.get(v.id) ?? []), seq]);
              if (v.name !== 'broadcast') carolWs.send({ type: 'typing', conversationId: v.id });
              carolWs.send({ type: 'read', conversationId: v.id, seq });
            }
            await settle(20);
          }
        })();

        const wrong: string[] = [];
        /** Answers to Mallory's forged sync tokens, which echo the ids she sent (an unknown one alike). */
        const echoes = new Set<Frame>();
        for (const v of variants) {
          for (const [type, build] of Object.entries(FRAMES)) {
            const unknown = randomUUID();
            const forB = await answerTo(build(v.id, v.seq, `b-${type}`));
            const forUnknown = await answerTo(build(unknown, v.seq, `u-${type}`));
            counts.frames += 1;
            const norm = (frames: Frame[], id: string, requestId: string): string =>
              JSON.stringify(
                frames.map((f) => ({
                  ...f,
                  requestId: f['requestId'] === requestId ? '<mine>' : f['requestId'],
                })),
              ).replaceAll(id, '<id>');
            const [b, u] = [norm(forB, v.id, `b-${type}`), norm(forUnknown, unknown, `u-${type}`)];
            if (forUnknown.length !== 1 || forUnknown[0]?.['code'] !== 'NOT_FOUND')
              wrong.push(`${type} [${v.name}]: unknown id answered ${u}`);
            if (b !== u) wrong.push(`${type} [${v.name}]: B answered ${b}, unknown ${u}`);
          }
          // A `sync` frame with a forged token naming B: nothing of B, and B treated like an unknown id.
          const unknown = randomUUID();
          const synced: string[] = [];
          for (const id of [v.id, unknown]) {
            const token = encodeSyncToken({
              issuedAt: server.clock.now(),
              seqs: new Map([
                [convA, seqA],
                [id, 0],
              ]),
            });
            const answer = await malloryWs.request({ type: 'sync', token });
            assert.equal(answer.type, 'synced', JSON.stringify(answer));
            echoes.add(answer);
            synced.push(JSON.stringify(answer['leftConversationIds']).replaceAll(id, '<id>'));
          }
          counts.frames += 1;
          if (synced[0] !== synced[1]) wrong.push(`sync [${v.name}]: ${synced.join(' vs ')}`);
        }
        await activity;

        // Bob (in A and in every B) got B's traffic, so it was flowing; Mallory got A's but nothing of B.
        for (const v of variants) {
          for (const seq of bSeqs.get(v.id) ?? []) {
            await bobWs.waitFor(
              (f) =>
                f.type === 'event' &&
                (f['event'] as { conversationId: string; seq: number }).conversationId === v.id &&
                (f['event'] as { seq: number }).seq === seq,
            );
          }
        }
        await bobWs.waitFor((f) => f.type === 'receipt');
        await bobWs.waitFor((f) => f.type === 'typing');
        const seqInA = await sendEvent(bob, convA, {});
        await malloryWs.waitFor(
          (f) =>
            f.type === 'event' &&
            (f['event'] as { seq: number; conversationId: string }).conversationId === convA &&
            (f['event'] as { seq: number }).seq === seqInA,
        );
        await settle(200);
        const secrets = [...variants.map((v) => v.id), blobB];
        for (const frame of malloryWs.frames) {
          if (echoes.has(frame)) continue;
          const text = JSON.stringify(frame);
          for (const id of secrets) {
            if (text.includes(id)) wrong.push(`Mallory received a frame naming B: ${text.slice(0, 200)}`);
          }
        }
        assert.equal(
          malloryWs.closeInfo,
          undefined,
          'probing with well-formed frames does not close the connection',
        );
        console.log(
          `idor [${dialect}]: ${String(counts.http)} HTTP comparisons (B vs unknown), ${String(counts.frames)} frame comparisons, ` +
            `${String(malloryWs.frames.length)} frames received by Mallory, none naming B`,
        );
        assert.deepEqual(wrong, []);
      });
    });
  });
}
