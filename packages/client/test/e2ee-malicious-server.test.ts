import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  MemoryE2eeStore,
  MemoryStore,
  MessengerSession,
  SecureMessenger,
  type FetchLike,
  type SecureEvent,
  type SecurityWarning,
} from '@enlets/client';
import {
  createMlsDevice,
  DEFAULT_MLS_SUITE,
  IdentityKeyPair,
  MemoryTrustStorage,
  toBase64Url,
  TrustStore,
} from '@enlets/crypto';
import type {
  ClaimKeyPackagesResponse,
  ConversationEvent,
  EventRangeResponse,
  SessionListResponse,
  SyncResponse,
} from '@enlets/protocol';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { FAST_BACKOFF, text, utf8, waitFor } from './helpers.js';

const realFetch = globalThis.fetch.bind(globalThis) as unknown as FetchLike;

/** Rewrites the JSON answers of chosen requests: the server turned malicious, the network path is real. */
type Tamper = (url: string, method: string, body: unknown) => unknown;

function maliciousFetch(tamper: { current: Tamper | undefined }): FetchLike {
  return async (url, init) => {
    const response = await realFetch(url, init);
    const current = tamper.current;
    if (current === undefined || !response.ok) return response;
    const original = await response.text();
    const rewritten =
      original === '' ? original : JSON.stringify(current(url, init.method, JSON.parse(original)));
    return { ok: response.ok, status: response.status, text: () => Promise.resolve(rewritten) };
  };
}

/** Applies `edit` to every event of a sync or range answer. */
function editEvents(body: unknown, edit: (e: ConversationEvent) => ConversationEvent): unknown {
  const b = body as Partial<SyncResponse & EventRangeResponse>;
  if (!Array.isArray(b.events)) return body;
  return { ...b, events: b.events.map(edit) };
}

interface Device {
  readonly messenger: SecureMessenger;
  readonly shown: SecureEvent[];
  readonly warnings: SecurityWarning[];
  readonly deviceId: string;
  readonly tamper: { current: Tamper | undefined };
  readonly e2eeStore: MemoryE2eeStore;
}

/**
 * The "malicious server": it injects a device, replays a handshake, serves a used KeyPackage and swaps
 * sender fields. Each is done to real answers of a real server on their way to the client (through its fetch,
 * over the HTTP transport so events pass through it too); the client must refuse each one visibly — a warning
 * and no content — and accept nothing silently. Client behaviour, so SQLite suffices.
 */
describe('client/e2ee: a malicious server is refused visibly', () => {
  let server: TestServer;
  let alice: TestActor;
  let bob: TestActor;
  let carol: TestActor;
  const devices: Device[] = [];
  const stops: Array<() => Promise<void>> = [];

  const open = async (actor: TestActor): Promise<Device> => {
    const tamper: { current: Tamper | undefined } = { current: undefined };
    const session = new MessengerSession({
      baseUrl: server.url,
      token: actor.token,
      store: new MemoryStore(),
      fetch: maliciousFetch(tamper),
      transport: 'http',
      pollIntervalMs: 50,
      backoff: FAST_BACKOFF,
    });
    const sessions = await session.http.get<SessionListResponse>('/me/sessions');
    const deviceId = sessions.sessions.find((s) => s.current)?.id;
    assert.ok(deviceId);
    const e2eeStore = new MemoryE2eeStore();
    const messenger = await SecureMessenger.open({
      session,
      store: e2eeStore,
      userId: actor.id,
      deviceId,
      keyPackagePool: 6,
    });
    const device: Device = { messenger, shown: [], warnings: [], deviceId, tamper, e2eeStore };
    messenger.on('event', (e) => device.shown.push(e));
    messenger.on('warning', (w) => device.warnings.push(w));
    session.start();
    stops.push(async () => {
      messenger.close();
      await session.stop();
    });
    devices.push(device);
    return device;
  };

  const conversation = (...members: TestActor[]) =>
    createConversation(server, {
      members: members.map((m, i) => ({
        id: m.id,
        role: i === 0 ? ('owner' as const) : ('member' as const),
      })),
    });

  const messagesOf = (device: Device, conversationId: string) =>
    device.shown.filter((e) => e.event.conversationId === conversationId && e.event.kind === 'message');

  let a: Device;
  let b: Device;
  let c: Device;

  before(async () => {
    server = await startTestServer('sqlite');
    server.clock.advance(Date.now() - server.clock.now());
    alice = await createActor(server);
    bob = await createActor(server);
    carol = await createActor(server);
    a = await open(alice);
    b = await open(bob);
    c = await open(carol);
  });
  after(async () => {
    for (const stop of stops) await stop();
    await server.close();
  });

  it('injects a ghost device for bob into a key-package claim: alice refuses to add it and sends nothing', async () => {
    const conversationId = await conversation(alice, bob);
    const ghostIdentity = IdentityKeyPair.generate();
    const ghost = await createMlsDevice({
      userId: bob.id,
      deviceId: randomUUID(),
      suite: DEFAULT_MLS_SUITE,
      identity: ghostIdentity,
      trust: new TrustStore(new MemoryTrustStorage()),
    });
    const [ghostPackage] = await ghost.generateKeyPackages(1);
    assert.ok(ghostPackage);
    a.tamper.current = (url, _method, body) => {
      if (!url.endsWith('/e2ee/key-packages/claim')) return body;
      const claim = body as ClaimKeyPackagesResponse;
      return {
        keyPackages: [
          ...claim.keyPackages,
          {
            userId: bob.id,
            deviceId: ghost.deviceId,
            keyPackage: toBase64Url(ghostPackage.message),
            lastResort: false,
          },
        ],
      };
    };
    try {
      await assert.rejects(
        a.messenger.send(conversationId, utf8('for bob only')),
        /trust|identity|refused|authenticat/i,
        'the send fails loudly instead of encrypting to the ghost',
      );
    } finally {
      a.tamper.current = undefined;
    }
    const events = await server.api.get<EventRangeResponse>(
      `/api/v1/conversations/${conversationId}/events?afterSeq=0`,
      { token: bob.token },
    );
    assert.equal(
      events.body.events.filter((e) => e.kind === 'message').length,
      0,
      'nothing was encrypted to a group holding the ghost',
    );
  });

  it("swaps the sender of alice's message to carol: bob refuses it and warns", async () => {
    const conversationId = await conversation(alice, bob, carol);
    b.tamper.current = (_url, _method, body) =>
      editEvents(body, (e) =>
        e.conversationId === conversationId && e.kind === 'message' && e.senderId === alice.id
          ? { ...e, senderId: carol.id, senderDeviceId: c.deviceId }
          : e,
      );
    try {
      await (
        await a.messenger.send(conversationId, utf8('signed by alice'))
      ).acknowledged;
      await waitFor(() => messagesOf(b, conversationId)[0], "bob's copy of the message");
      await waitFor(() => messagesOf(c, conversationId)[0], "carol's copy (untampered)");
    } finally {
      b.tamper.current = undefined;
    }
    const [shown] = messagesOf(b, conversationId);
    assert.equal(shown?.status, 'refused');
    assert.equal(shown.content, null, 'no content shown for a forged sender');
    assert.ok(b.warnings.some((w) => w.conversationId === conversationId && /sender/i.test(w.reason)));
    // The honest path still works: carol reads it, attributed to alice.
    assert.equal(text(messagesOf(c, conversationId)[0]?.content ?? null), 'signed by alice');
  });

  it('replays an old handshake in place of a later event: bob ignores it visibly and keeps reading', async () => {
    const conversationId = await conversation(alice, bob, carol);
    await (
      await a.messenger.send(conversationId, utf8('first'))
    ).acknowledged;
    await waitFor(() => messagesOf(b, conversationId)[0], 'the first message');
    // Carol leaves: alice's next send commits her removal (epochs bob has lived through).
    await server.api.post(
      `/api/v1/conversations/${conversationId}/members/${carol.id}/remove`,
      {},
      { token: alice.token },
    );
    await (
      await a.messenger.send(conversationId, utf8('second'))
    ).acknowledged;
    await waitFor(() => messagesOf(b, conversationId)[1], 'the second message');
    const history = await server.api.get<EventRangeResponse>(
      `/api/v1/conversations/${conversationId}/events?afterSeq=0`,
      { token: bob.token },
    );
    const oldCommit = history.body.events.filter((e) => e.kind === 'mls.commit').at(-1);
    assert.ok(oldCommit, 'the removal was committed');
    let replayed = false;
    b.tamper.current = (_url, _method, body) =>
      editEvents(body, (e) => {
        if (replayed || e.conversationId !== conversationId || e.kind !== 'message') return e;
        replayed = true;
        return {
          ...e,
          kind: 'mls.commit',
          payload: oldCommit.payload,
          senderId: oldCommit.senderId,
          senderDeviceId: oldCommit.senderDeviceId,
        };
      });
    try {
      await (
        await a.messenger.send(conversationId, utf8('replaced by a replay'))
      ).acknowledged;
      await waitFor(() => (replayed ? true : undefined), 'the replay served');
    } finally {
      b.tamper.current = undefined;
    }
    await (
      await a.messenger.send(conversationId, utf8('after the replay'))
    ).acknowledged;
    await waitFor(
      () =>
        messagesOf(b, conversationId).some((m) => text(m.content) === 'after the replay') ? true : undefined,
      'bob keeps reading after the replay',
    );
    assert.ok(
      b.warnings.some((w) => w.conversationId === conversationId && /replayed|reordered/i.test(w.reason)),
    );
  });

  it('hands out a KeyPackage bob already used: bob refuses the second Welcome and warns', async () => {
    const first = await conversation(alice, bob);
    let captured: ClaimKeyPackagesResponse | undefined;
    a.tamper.current = (url, _method, body) => {
      if (url.endsWith('/e2ee/key-packages/claim')) captured ??= body as ClaimKeyPackagesResponse;
      return body;
    };
    await (
      await a.messenger.send(first, utf8('uses bob package'))
    ).acknowledged;
    await waitFor(() => messagesOf(b, first)[0], 'bob joined the first conversation');
    assert.ok(captured, 'the first claim was seen');
    const second = await conversation(alice, bob);
    const replay = captured;
    a.tamper.current = (url, _method, body) => (url.endsWith('/e2ee/key-packages/claim') ? replay : body);
    try {
      const sent = await a.messenger.send(second, utf8('to a reused package')).catch(() => undefined);
      await sent?.acknowledged.catch(() => undefined);
    } finally {
      a.tamper.current = undefined;
    }
    await waitFor(
      () =>
        b.warnings.some((w) => w.conversationId === second && /Welcome/i.test(w.reason)) ? true : undefined,
      'bob refuses the Welcome made with a used package',
    );
    assert.ok(
      messagesOf(b, second).every((m) => m.status !== 'decrypted'),
      'bob reads nothing through a reused package',
    );
  });
});
