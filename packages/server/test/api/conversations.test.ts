import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ConversationDetail,
  ConversationEvent,
  ConversationListResponse,
  CreateConversationResponse,
  EventRangeResponse,
} from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { codeOf, type ApiResponse } from '../helpers/http.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

function ruleOf(response: ApiResponse): unknown {
  return (response.body as { error?: { details?: { rule?: unknown } } }).error?.details?.rule;
}

/** The readable details of a system event (empty for other events). */
function sys(e: ConversationEvent | undefined): Readonly<Record<string, unknown>> {
  return (e?.system ?? {}) as Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`http/routes/conversations [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let mallory: TestActor;
    let guest: TestActor;

    const create = (actor: TestActor, body: Record<string, unknown>) =>
      server.api.post<CreateConversationResponse>('/api/v1/conversations', body, { token: actor.token });
    const list = (actor: TestActor, query = '') =>
      server.api.get<ConversationListResponse>(`/api/v1/conversations${query}`, { token: actor.token });
    const detail = (actor: TestActor, id: string) =>
      server.api.get<ConversationDetail>(`/api/v1/conversations/${id}`, { token: actor.token });
    const patch = (actor: TestActor, id: string, body: Record<string, unknown>) =>
      server.api.patch<ConversationDetail>(`/api/v1/conversations/${id}`, body, { token: actor.token });
    const group = async (owner: TestActor, members: TestActor[], extra: Record<string, unknown> = {}) => {
      const res = await create(owner, {
        kind: 'group',
        name: 'Operation Nightjar',
        memberIds: members.map((m) => m.id),
        ...extra,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.conversation.id;
    };

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server, { displayName: 'Alice' });
      bob = await createActor(server, { displayName: 'Bob' });
      mallory = await createActor(server);
      guest = await createActor(server, { roles: [{ role: 'partner_guest' }] });
    });
    after(() => server.close());

    it('finds or creates the one 1:1 conversation of a pair, whoever opens it', async () => {
      const first = await create(alice, { kind: 'direct', userId: bob.id });
      assert.equal(first.status, 200);
      assert.equal(first.body.created, true);
      const c = first.body.conversation;
      assert.equal(c.kind, 'direct');
      assert.equal(c.name, null);
      assert.equal(c.otherUserId, bob.id);
      assert.deepEqual(c.members.map((m) => m.userId).sort(), [alice.id, bob.id].sort());

      const again = await create(bob, { kind: 'direct', userId: alice.id });
      assert.equal(again.body.created, false);
      assert.equal(again.body.conversation.id, c.id);
      assert.equal(again.body.conversation.otherUserId, alice.id);

      const self = await create(alice, { kind: 'direct', userId: alice.id });
      assert.equal(codeOf(self), 'CONFLICT');
      const nobody = await create(alice, { kind: 'direct', userId: UNKNOWN });
      assert.equal(codeOf(nobody), 'NOT_FOUND');
      for (const wrong of [
        { kind: 'direct' },
        { kind: 'direct', userId: bob.id, name: 'us two' },
        { kind: 'group', userId: bob.id, name: 'G', memberIds: [] },
        { kind: 'group', memberIds: [bob.id] },
        { kind: 'channel', name: 'C', memberIds: [] },
      ])
        assert.equal(codeOf(await create(alice, wrong)), 'VALIDATION_FAILED', JSON.stringify(wrong));
    });

    it('yields one conversation when ten creates of the same pair race', async () => {
      const carol = await createActor(server);
      const dave = await createActor(server);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0
            ? create(carol, { kind: 'direct', userId: dave.id })
            : create(dave, { kind: 'direct', userId: carol.id }),
        ),
      );
      assert.ok(results.every((r) => r.status === 200));
      assert.equal(new Set(results.map((r) => r.body.conversation.id)).size, 1);
      assert.equal(results.filter((r) => r.body.created).length, 1);
      const carols = await list(carol);
      assert.equal(carols.body.conversations.length, 1);
      assert.equal(carols.body.conversations[0]?.otherUserId, dave.id);
    });

    it('creates a group whose creator is the owner and whose members see it in their lists', async () => {
      const res = await create(alice, {
        kind: 'group',
        name: 'Joint investigation',
        description: 'JIT 2026/04',
        memberIds: [bob.id],
      });
      assert.equal(res.status, 200);
      const c = res.body.conversation;
      assert.equal(c.kind, 'group');
      assert.equal(c.name, 'Joint investigation');
      assert.equal(c.description, 'JIT 2026/04');
      assert.equal(c.tlp, 'GREEN');
      assert.equal(c.role, 'owner');
      assert.equal(c.memberCount, 2);
      assert.deepEqual(c.members.map((m) => `${m.displayName}:${m.role}`).sort(), [
        'Alice:owner',
        'Bob:member',
      ]);
      const bobs = await list(bob);
      const mine = bobs.body.conversations.find((x) => x.id === c.id);
      assert.ok(mine);
      assert.equal(mine.role, 'member');
      assert.equal(mine.name, 'Joint investigation');
      assert.equal(mine.otherUserId, null);
      const events = await server.api.get<EventRangeResponse>(`/api/v1/conversations/${c.id}/events`, {
        token: bob.token,
      });
      assert.deepEqual(
        events.body.events.map((e) => sys(e)['type']),
        ['member.added', 'member.added'],
      );
    });

    it('answers NOT_FOUND to a non-member on every route with an id, exactly as for an unknown id', async () => {
      const id = await group(alice, [bob]);
      const probes: ReadonlyArray<(target: string) => Promise<ApiResponse>> = [
        (t) => server.api.get(`/api/v1/conversations/${t}`, { token: mallory.token }),
        (t) => server.api.patch(`/api/v1/conversations/${t}`, { name: 'mine' }, { token: mallory.token }),
        (t) =>
          server.api.post(
            `/api/v1/conversations/${t}/members`,
            { userIds: [mallory.id] },
            { token: mallory.token },
          ),
        (t) =>
          server.api.post(`/api/v1/conversations/${t}/members/${bob.id}/remove`, undefined, {
            token: mallory.token,
          }),
        (t) =>
          server.api.post(
            `/api/v1/conversations/${t}/members/${bob.id}/role`,
            { role: 'manager' },
            { token: mallory.token },
          ),
        (t) => server.api.post(`/api/v1/conversations/${t}/leave`, undefined, { token: mallory.token }),
        (t) => server.api.patch(`/api/v1/conversations/${t}/me`, { muted: true }, { token: mallory.token }),
        (t) => server.api.post(`/api/v1/conversations/${t}/read`, { seq: 1 }, { token: mallory.token }),
        (t) => server.api.get(`/api/v1/conversations/${t}/receipts?seq=1`, { token: mallory.token }),
      ];
      for (const probe of probes) {
        const others = await probe(id);
        const unknown = await probe(UNKNOWN);
        assert.equal(others.status, 404, JSON.stringify(others.body));
        assert.deepEqual(
          {
            status: others.status,
            code: codeOf(others),
            message: (others.body as unknown as ErrorShape).error.message,
          },
          {
            status: unknown.status,
            code: codeOf(unknown),
            message: (unknown.body as unknown as ErrorShape).error.message,
          },
        );
      }
      // Nothing changed for the members.
      const seen = await detail(alice, id);
      assert.equal(seen.body.name, 'Operation Nightjar');
      assert.equal(seen.body.memberCount, 2);
    });

    it('lets the owner change settings, writes each change as an event, and refuses plain members', async () => {
      const id = await group(alice, [bob]);
      const changed = await patch(alice, id, {
        name: 'Operation Kestrel',
        description: null,
        messageTtlMs: 86_400_000,
      });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.name, 'Operation Kestrel');
      assert.equal(changed.body.messageTtlMs, 86_400_000);
      const range = await server.api.get<EventRangeResponse>(`/api/v1/conversations/${id}/events`, {
        token: bob.token,
      });
      const last = range.body.events.at(-1);
      assert.equal(last?.kind, 'system');
      assert.deepEqual(sys(last)['changes'], { name: 'Operation Kestrel', messageTtlMs: 86_400_000 });

      const byMember = await patch(bob, id, { name: 'Mine now' });
      assert.equal(byMember.status, 403);
      assert.equal(codeOf(byMember), 'FORBIDDEN');
      const tooShort = await patch(alice, id, { messageTtlMs: 59_999 });
      assert.equal(codeOf(tooShort), 'VALIDATION_FAILED');
      const empty = await patch(alice, id, {});
      assert.equal(codeOf(empty), 'VALIDATION_FAILED');
      const off = await patch(alice, id, { messageTtlMs: null });
      assert.equal(off.body.messageTtlMs, null);
    });

    it('keeps 1:1 conversations nameless but lets either person set the timer', async () => {
      const res = await create(alice, { kind: 'direct', userId: bob.id });
      const id = res.body.conversation.id;
      assert.equal(codeOf(await patch(bob, id, { name: 'us' })), 'CONFLICT');
      const timer = await patch(bob, id, { messageTtlMs: 3_600_000 });
      assert.equal(timer.status, 200);
      assert.equal(timer.body.messageTtlMs, 3_600_000);
    });

    it('keeps partner guests out of TLP:AMBER+STRICT groups, and raises but never lowers a marking', async () => {
      const strictWithGuest = await create(alice, {
        kind: 'group',
        name: 'Strict',
        memberIds: [bob.id, guest.id],
        tlp: 'AMBER+STRICT',
      });
      assert.equal(codeOf(strictWithGuest), 'TLP_VIOLATION');
      assert.equal(ruleOf(strictWithGuest), 'guest_excluded_from_strict');
      // Nothing half-created: the refused group is in nobody's list.
      const bobs = await list(bob);
      assert.ok(!bobs.body.conversations.some((c) => c.name === 'Strict'));

      const strict = await group(alice, [bob], { tlp: 'AMBER+STRICT' });
      const addGuest = await server.api.post(
        `/api/v1/conversations/${strict}/members`,
        { userIds: [guest.id] },
        { token: bob.token },
      );
      assert.equal(codeOf(addGuest), 'TLP_VIOLATION');
      assert.equal((await detail(alice, strict)).body.memberCount, 2);

      const open = await group(alice, [bob, guest]);
      const raise = await patch(alice, open, { tlp: 'AMBER+STRICT' });
      assert.equal(codeOf(raise), 'TLP_VIOLATION');
      assert.equal(ruleOf(raise), 'guest_excluded_from_strict');
      const amber = await patch(alice, open, { tlp: 'AMBER' });
      assert.equal(amber.status, 200);
      assert.equal(amber.body.tlp, 'AMBER');
      const lower = await patch(alice, open, { tlp: 'GREEN' });
      assert.equal(codeOf(lower), 'TLP_VIOLATION');
      assert.equal(ruleOf(lower), 'no_downgrade');
      assert.equal((await detail(guest, open)).body.tlp, 'AMBER');
    });

    it('keeps per-member flags per member and filters the list by archive', async () => {
      const id = await group(alice, [bob]);
      const flags = await server.api.patch(
        `/api/v1/conversations/${id}/me`,
        { archived: true, muted: true, favourite: true },
        { token: bob.token },
      );
      assert.equal(flags.status, 200);
      const archived = await list(bob, '?archived=true');
      assert.deepEqual(
        archived.body.conversations.map((c) => c.id),
        [id],
      );
      const first = archived.body.conversations[0];
      assert.ok(first);
      assert.deepEqual([first.muted, first.favourite, first.archived], [true, true, true]);
      const active = await list(bob, '?archived=false');
      assert.ok(!active.body.conversations.some((c) => c.id === id));
      const alices = await list(alice);
      const hers = alices.body.conversations.find((c) => c.id === id);
      assert.deepEqual([hers?.muted, hers?.favourite, hers?.archived], [false, false, false]);
    });

    it('lists two hundred conversations with the right counts, newest activity first', async () => {
      const erin = await createActor(server);
      const frank = await createActor(server);
      const ids: string[] = [];
      for (let i = 0; i < 200; i += 1) {
        server.clock.advance(1000);
        ids.push(await createConversation(server, { members: [{ id: erin.id }, { id: frank.id }] }));
      }
      const busy = ids.slice(0, 5);
      for (const [i, id] of busy.entries()) {
        server.clock.advance(1000);
        for (let n = 0; n <= i; n += 1) {
          const sent = await server.api.post(
            `/api/v1/conversations/${id}/events`,
            {
              clientMessageId: newClientId(),
              kind: 'message',
              payload: payload(`hello ${String(n)}`),
              ...(n === 0 ? { mentions: [erin.id] } : {}),
            },
            { token: frank.token },
          );
          assert.equal(sent.status, 200);
        }
      }
      const res = await list(erin);
      assert.equal(res.status, 200);
      assert.equal(res.body.conversations.length, 200);
      assert.deepEqual(new Set(res.body.conversations.map((c) => c.id)), new Set(ids));
      const times = res.body.conversations.map((c) => c.lastActivityAt);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
      );
      // The most recently active come first: the busy ones, last written first.
      assert.deepEqual(
        res.body.conversations.slice(0, 5).map((c) => c.id),
        [...busy].reverse(),
      );
      for (const [i, id] of busy.entries()) {
        const c = res.body.conversations.find((x) => x.id === id);
        assert.equal(c?.unreadCount, i + 1);
        assert.equal(c.mentionCount, 1);
        assert.equal(c.memberCount, 2);
      }
      const quiet = res.body.conversations.filter((c) => !busy.includes(c.id));
      assert.ok(quiet.every((c) => c.unreadCount === 0 && c.mentionCount === 0 && c.memberCount === 2));
      const franks = await list(frank);
      assert.ok(franks.body.conversations.every((c) => c.unreadCount === 0));
    });
  });
}

interface ErrorShape {
  readonly error: { readonly message: string };
}
