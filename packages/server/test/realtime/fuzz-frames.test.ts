import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { CLOSE_CODES, MAX_CLIENT_FRAME_BYTES, isErrorCode } from '@enlets/protocol';
import type { DB } from '../../src/storage/schema.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connectWs, type Frame, type WsClient, type WsCloseInfo } from '../helpers/ws.js';

/**
 * Hostile frames over an authenticated WebSocket (issue 3, "Fuzzed frames"), with fast-check and a fixed seed:
 * arbitrary text, JSON values, frames with fields of the wrong type, valid-looking frames with unknown fields,
 * `__proto__` keys, binary frames, frames around MAX_CLIENT_FRAME_BYTES, deeply nested JSON and text frames
 * that are not UTF-8. Every bad frame is answered with an `error` frame carrying a catalogued code, or closes the
 * connection with its documented code (1009 too big, 4400 at the 10th invalid frame; the suite then
 * reconnects). After every batch the same server still answers `ping` and /health, no HTTP request gets a 5xx,
 * and no row was written.
 */

const SEED = 20_260_302;
const RUNS = 60;
/** Invalid frames a connection may send before it is closed with 4400 (the gateway's default). */
const MAX_PROTOCOL_ERRORS = 10;
/** Codes of frames the gateway refuses as invalid (they count towards the 4400 close). */
const PROTOCOL_CODES: ReadonlySet<string> = new Set(['MALFORMED_JSON', 'FORBIDDEN_KEY', 'VALIDATION_FAILED']);
/**
 * The close code `ws` uses for a text frame that is not UTF-8 ("invalid frame payload data", RFC 6455 7.4.1).
 * `ws` checks it before the gateway sees the frame.
 */
const INVALID_UTF8_CLOSE = 1007;
/** The close code `ws` uses for a frame over `maxPayload` (MAX_CLIENT_FRAME_BYTES). */
const TOO_BIG_CLOSE = 1009;
const TABLES = [
  'users',
  'sessions',
  'conversations',
  'conversation_members',
  'events',
  'event_mentions',
  'channel_requests',
  'bookmarks',
  'uploads',
  'blobs',
  'audit_log',
  'delivery_positions',
] as const satisfies ReadonlyArray<keyof DB>;

/** What a bad frame is expected to cause: an error frame with one of these codes, or a close by `ws`. */
type Expect = readonly string[] | 'close-1009' | 'close-1007';
const INVALID: Expect = [...PROTOCOL_CODES];

interface Outcome {
  readonly errors: readonly Frame[];
  /** Frames other than errors and the fencing pong (there should be none). */
  readonly others: readonly Frame[];
  readonly close: WsCloseInfo | undefined;
}

/**
 * One authenticated connection at a time, replaced when the server closes it. Each probe sends the bad frame
 * and then a `ping`: frames are handled in order, so the `pong` (or the close) fences the answer.
 */
class FuzzLink {
  #client: WsClient | undefined;
  #protocolErrors = 0;
  connections = 0;
  probes = 0;
  readonly closes = new Map<number, number>();
  readonly codes = new Map<string, number>();

  constructor(
    private readonly server: TestServer,
    private readonly actor: TestActor,
  ) {}

  async #ready(): Promise<WsClient> {
    if (this.#client !== undefined && this.#client.closeInfo === undefined) return this.#client;
    this.#client = await connectWs(this.server, { token: this.actor.token });
    // The presence snapshot follows `ready` on its own; it is not an answer to a probe.
    await this.#client.waitFor((f) => f.type === 'presences');
    this.#protocolErrors = 0;
    this.connections += 1;
    return this.#client;
  }

  async probe(what: string, send: (client: WsClient) => void, expect: Expect): Promise<void> {
    const client = await this.#ready();
    this.probes += 1;
    const from = client.frames.length;
    send(client);
    const requestId = client.nextRequestId('fence');
    // A frame the server refused to read closes the connection at once: the fence may fail to go out.
    if (client.closeInfo === undefined) client.send({ type: 'ping', requestId });
    const fenced = (): boolean =>
      client.frames.some((f) => f.type === 'pong' && f['requestId'] === requestId);
    // `waitFor` wakes on every frame and on the close; the predicate looks at the connection, not the frame.
    await client.waitFor(() => client.closeInfo !== undefined || fenced(), 5000, `answer to ${what}`);
    if (client.closeInfo === undefined && !fenced()) await client.waitClose(1000);
    const received = client.frames.slice(from);
    const outcome: Outcome = {
      errors: received.filter((f) => f.type === 'error'),
      others: received.filter(
        (f) => f.type !== 'error' && !(f.type === 'pong' && f['requestId'] === requestId),
      ),
      close: client.closeInfo,
    };
    this.#check(what, expect, outcome);
  }

  #check(what: string, expect: Expect, { errors, others, close }: Outcome): void {
    const label = `${what}: errors ${JSON.stringify(errors)}, close ${JSON.stringify(close)}`;
    assert.deepEqual(others, [], `${label}: unexpected frames`);
    if (close !== undefined) this.closes.set(close.code, (this.closes.get(close.code) ?? 0) + 1);
    if (expect === 'close-1009' || expect === 'close-1007') {
      assert.equal(close?.code, expect === 'close-1009' ? TOO_BIG_CLOSE : INVALID_UTF8_CLOSE, label);
      assert.deepEqual(errors, [], label);
      return;
    }
    assert.equal(errors.length, 1, `${label}: expected exactly one error frame`);
    const error = errors[0]!;
    const code = error['code'];
    assert.ok(isErrorCode(code), `${label}: ${String(code)} is not a catalogued code`);
    assert.notEqual(code, 'INTERNAL', label);
    assert.ok(expect.includes(code), `${label}: expected ${expect.join('|')}`);
    assert.equal(typeof error['message'], 'string', label);
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    if (PROTOCOL_CODES.has(code)) this.#protocolErrors += 1;
    if (this.#protocolErrors >= MAX_PROTOCOL_ERRORS) {
      assert.equal(close?.code, CLOSE_CODES.PROTOCOL_ERROR, `${label}: the 10th invalid frame closes 4400`);
    } else {
      assert.equal(close, undefined, `${label}: closed after ${String(this.#protocolErrors)} invalid frames`);
    }
  }

  async close(): Promise<void> {
    if (this.#client !== undefined && this.#client.closeInfo === undefined) await this.#client.close();
  }
}

/** Keys a frame may not carry; any other extra key makes a frame invalid (frames are strict objects). */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

for (const dialect of DIALECTS) {
  describe(`realtime/fuzz-frames [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let conversation: string;
    let link: FuzzLink;
    let rowsBefore: Record<string, number>;

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

    /** Valid frames of every client type (against a conversation Alice is in), to break one field at a time. */
    const templates = (): ReadonlyArray<Record<string, unknown>> => [
      { type: 'auth', token: 'a'.repeat(40) },
      {
        type: 'send',
        requestId: 'req-1',
        conversationId: conversation,
        event: { clientMessageId: newClientId(), kind: 'message', payload: payload('fuzz') },
      },
      { type: 'sync', requestId: 'req-2', token: '' },
      { type: 'read', conversationId: conversation, seq: 1 },
      { type: 'typing', conversationId: conversation },
      { type: 'presence', availability: 'busy', text: 'in a meeting' },
      { type: 'ping', requestId: 'req-3' },
      { type: 'delivered', positions: [{ conversationId: conversation, seq: 1 }] },
    ];

    /** Asserts the server is still the same healthy one, over WebSocket and HTTP, with nothing written. */
    const stillHealthy = async (batch: string): Promise<void> => {
      const probe = await connectWs(server, { token: alice.token });
      const pong = await probe.request({ type: 'ping' });
      assert.equal(pong.type, 'pong', batch);
      await probe.close();
      const health = await server.api.get('/health');
      assert.equal(health.status, 200, `${batch}: /health ${String(health.status)}`);
      for (const path of [
        '/api/v1/me',
        '/api/v1/conversations',
        `/api/v1/conversations/${conversation}/events`,
      ]) {
        const res = await server.api.get(path, { token: alice.token });
        assert.equal(res.status, 200, `${batch}: ${path} ${String(res.status)}`);
      }
      const bad = await server.api.get(`/api/v1/conversations/${randomUUID()}/events`, {
        token: alice.token,
      });
      assert.ok(bad.status < 500, `${batch}: ${String(bad.status)}`);
      assert.deepEqual(await countRows(), rowsBefore, `${batch}: rows were written`);
      assert.equal(
        (Object.prototype as Record<string, unknown>)['polluted'],
        undefined,
        'prototype polluted',
      );
    };

    /** Runs one property: every value is sent as a text frame over the link and must be refused. */
    const batch = async <T>(
      name: string,
      values: fc.Arbitrary<T>,
      send: (client: WsClient, value: T) => void,
      expect: (value: T) => Expect = () => INVALID,
      runs = RUNS,
    ): Promise<void> => {
      await fc.assert(
        fc.asyncProperty(values, (value) =>
          link.probe(
            `${name} ${String(JSON.stringify(value) as unknown).slice(0, 160)}`,
            (c) => send(c, value),
            expect(value),
          ),
        ),
        { seed: SEED, numRuns: runs, endOnFailure: true },
      );
      await stillHealthy(name);
    };

    const text = (client: WsClient, value: string): void => client.sendRaw(value);

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      const bob = await createActor(server);
      conversation = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      link = new FuzzLink(server, alice);
      rowsBefore = await countRows();
    });
    after(async () => {
      await link.close();
      console.log(
        `fuzz-frames [${dialect}]: ${String(link.probes)} bad frames over ${String(link.connections)} connections; ` +
          `error codes ${JSON.stringify(Object.fromEntries(link.codes))}; closes ${JSON.stringify(Object.fromEntries(link.closes))}`,
      );
      await server.close();
    });

    it('refuses arbitrary text', async () => {
      await batch(
        'text',
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.constantFrom('', ' ', 'null', '{}', '[]', '"ping"', '{"type":"ping"'),
        ),
        text,
      );
    });

    it('refuses JSON values that are not frames', async () => {
      await batch(
        'json',
        fc.jsonValue({ maxDepth: 4 }),
        (c, v) => text(c, JSON.stringify(v)),
        () => ['VALIDATION_FAILED'],
      );
    });

    it('refuses frames with a field of the wrong type', async () => {
      const wrong = fc.oneof(
        fc.boolean(),
        fc.constant(null),
        fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ max: 0 }),
        fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        fc.dictionary(
          fc.string({ maxLength: 5 }).filter((k) => !RESERVED.has(k)),
          fc.jsonValue({ maxDepth: 1 }),
          { maxKeys: 3 },
        ),
        fc.string({ maxLength: 10 }).map((s) => `${s}\u0000`),
      );
      await batch(
        'wrong-type',
        fc.tuple(fc.nat(), fc.nat(), wrong),
        (c, [t, f, value]) => {
          const frame = templates()[t % templates().length]!;
          const fields = Object.keys(frame);
          const field = fields[f % fields.length]!;
          text(c, JSON.stringify({ ...frame, [field]: value }));
        },
        () => ['VALIDATION_FAILED'],
      );
    });

    it('refuses valid-looking frames with an unknown field', async () => {
      const key = fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !RESERVED.has(k));
      await batch(
        'unknown-field',
        fc.tuple(fc.nat(), key, fc.jsonValue({ maxDepth: 2 })),
        (c, [t, k, value]) => {
          const frame = templates()[t % templates().length]!;
          const name = Object.hasOwn(frame, k) ? `${k}_extra` : k;
          text(c, JSON.stringify({ ...frame, [name]: value }));
        },
        () => ['VALIDATION_FAILED'],
      );
    });

    it('refuses __proto__ and constructor.prototype keys, however escaped and wherever they are', async () => {
      const poison = fc.constantFrom(
        '"__proto__":{"polluted":1}',
        '"\\u005f_proto__":{"polluted":1}',
        '"constructor":{"prototype":{"polluted":1}}',
        '"constructor":{"\\u0070rototype":{"polluted":1}}',
      );
      await batch(
        'proto',
        fc.tuple(fc.nat(), poison, fc.boolean()),
        (c, [t, p, nested]) => {
          const frame = JSON.stringify(templates()[t % templates().length]);
          const body = nested
            ? frame.replace(/\{"type"/, `{"x":{${p}},"type"`)
            : frame.replace(/^\{/, `{${p},`);
          text(c, body);
        },
        () => ['FORBIDDEN_KEY'],
      );
    });

    it('refuses binary frames', async () => {
      await batch(
        'binary',
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          fc.constantFrom(...templates()).map((f) => new TextEncoder().encode(JSON.stringify(f))),
        ),
        (c, bytes) => c.sendRaw(Buffer.from(bytes), true),
        () => ['VALIDATION_FAILED'],
      );
    });

    it('answers frames up to MAX_CLIENT_FRAME_BYTES and closes 1009 on bigger ones', async () => {
      const frameOf = (size: number): string => {
        const head = '{"type":"ping","pad":"';
        return `${head}${'x'.repeat(Math.max(0, size - head.length - 2))}"}`;
      };
      const sizes = fc.oneof(
        fc.integer({ min: MAX_CLIENT_FRAME_BYTES - 64, max: MAX_CLIENT_FRAME_BYTES + 64 }),
        fc.constantFrom(
          MAX_CLIENT_FRAME_BYTES,
          MAX_CLIENT_FRAME_BYTES + 1,
          2 * MAX_CLIENT_FRAME_BYTES,
          1024 * 1024,
        ),
      );
      await batch(
        'size',
        sizes,
        (c, size) => {
          const frame = frameOf(size);
          assert.equal(Buffer.byteLength(frame), size);
          text(c, frame);
        },
        (size) => (size > MAX_CLIENT_FRAME_BYTES ? 'close-1009' : ['VALIDATION_FAILED']),
        20,
      );
      assert.ok((link.closes.get(TOO_BIG_CLOSE) ?? 0) > 0, 'some frames were over the limit');
    });

    it('refuses deeply nested JSON without overflowing the stack', async () => {
      const nested = (depth: number, shape: 'array' | 'object' | 'in-frame' | 'proto-deep'): string => {
        switch (shape) {
          case 'array':
            return `${'['.repeat(depth)}${']'.repeat(depth)}`;
          case 'object':
            return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
          case 'in-frame':
            return `{"type":"send","requestId":"deep","conversationId":"${conversation}","event":${'['.repeat(depth)}${']'.repeat(depth)}}`;
          case 'proto-deep':
            return `${'{"a":'.repeat(depth)}{"__proto__":{"polluted":1}}${'}'.repeat(depth)}`;
        }
      };
      const cases = fc.tuple(
        fc.constantFrom(1_000, 10_000, 15_000),
        fc.constantFrom<'array' | 'object' | 'in-frame' | 'proto-deep'>(
          'array',
          'object',
          'in-frame',
          'proto-deep',
        ),
      );
      await batch(
        'nested',
        cases,
        (c, [depth, shape]) => text(c, nested(depth, shape)),
        ([, shape]) => (shape === 'proto-deep' ? ['FORBIDDEN_KEY'] : ['VALIDATION_FAILED']),
        16,
      );
      // The deepest that fits in one frame: 49k arrays.
      const deepest = Math.floor((MAX_CLIENT_FRAME_BYTES - 8) / 2);
      await link.probe(`arrays nested ${String(deepest)} deep`, (c) => text(c, nested(deepest, 'array')), [
        'VALIDATION_FAILED',
      ]);
      await stillHealthy('deepest');
    });

    it('closes 1007 on a text frame that is not UTF-8 (sent as raw bytes with the text opcode)', async () => {
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
      // `ws` sends a Buffer as a text frame with `binary: false` and does not check it; the server's `ws` does.
      await batch(
        'utf8',
        invalid,
        (c, bytes) =>
          c.sendRaw(
            Buffer.concat([
              Buffer.from('{"type":"ping","requestId":"'),
              Buffer.from(bytes),
              Buffer.from('"}'),
            ]),
            false,
          ),
        () => 'close-1007',
        9,
      );
    });

    it('wrote nothing and kept every connection it closed accounted for', async () => {
      assert.deepEqual(await countRows(), rowsBefore);
      assert.ok((link.closes.get(CLOSE_CODES.PROTOCOL_ERROR) ?? 0) > 0, 'the 10th invalid frame closes 4400');
      assert.ok(link.probes > 200, String(link.probes));
    });
  });
}
