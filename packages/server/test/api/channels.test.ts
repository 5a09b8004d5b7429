import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ChannelDetails,
  ChannelDirectoryResponse,
  ChannelJoinRequestsResponse,
  ChannelMembersResponse,
  EventRangeResponse,
  MemberRole,
} from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { codeOf, type ApiResponse } from '../helpers/http.js';
import { newClientId, payload } from '../helpers/conversations.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

function ruleOf(res: ApiResponse): unknown {
  return (res.body as { error?: { details?: { rule?: unknown } } }).error?.details?.rule;
}
function reasonOf(res: ApiResponse): unknown {
  return (res.body as { error?: { details?: { reason?: unknown } } }).error?.details?.reason;
}

let nameCounter = 0;

for (const dialect of DIALECTS) {
  describe(`http/routes/channels [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let carol: TestActor;
    let dave: TestActor;
    let guest: TestActor;

    const create = (actor: TestActor, body: Record<string, unknown> = {}) => {
      nameCounter += 1;
      return server.api.post<ChannelDetails>(
        '/api/v1/channels',
        {
          name: `Channel ${String(nameCounter)}`,
          tlp: 'GREEN',
          joinMode: 'open',
          listed: true,
          readOnly: false,
          leaveAllowed: true,
          scopeKind: 'adhoc',
          ...body,
        },
        { token: actor.token },
      );
    };
    const channel = async (actor: TestActor, body: Record<string, unknown> = {}): Promise<string> => {
      const res = await create(actor, body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id;
    };
    const join = (actor: TestActor, id: string, body: Record<string, unknown> = {}) =>
      server.api.post(`/api/v1/channels/${id}/join`, body, { token: actor.token });
    const members = async (actor: TestActor, id: string): Promise<Map<string, MemberRole>> => {
      const res = await server.api.get<ChannelMembersResponse>(`/api/v1/channels/${id}/members`, {
        token: actor.token,
      });
      assert.equal(res.status, 200);
      return new Map(res.body.members.map((m) => [m.userId, m.role]));
    };
    const directory = (actor: TestActor, query = '') =>
      server.api.get<ChannelDirectoryResponse>(`/api/v1/channels${query}`, { token: actor.token });
    const invite = (actor: TestActor, id: string, userIds: readonly string[]) =>
      server.api.post(`/api/v1/channels/${id}/members`, { userIds }, { token: actor.token });
    const setRole = (actor: TestActor, id: string, userId: string, role: string) =>
      server.api.post(`/api/v1/channels/${id}/members/${userId}/role`, { role }, { token: actor.token });
    const remove = (actor: TestActor, id: string, userId: string) =>
      server.api.post(`/api/v1/channels/${id}/members/${userId}/remove`, undefined, { token: actor.token });
    const leave = (actor: TestActor, id: string) =>
      server.api.post(`/api/v1/channels/${id}/leave`, undefined, { token: actor.token });

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      carol = await createActor(server);
      dave = await createActor(server);
      guest = await createActor(server, { roles: [{ role: 'partner_guest' }] });
    });
    after(() => server.close());

    it('lets each scope be opened only by those who run it; the creator is the owner', async () => {
      const admin = await createActor(server, { roles: [{ role: 'secretariat_admin' }] });
      const ncpDe = await createActor(server, { roles: [{ role: 'ncp', scope: 'DE' }] });
      const lead = await createActor(server, { roles: [{ role: 'tig_lead', scope: 'tig-cyber' }] });

      assert.equal(codeOf(await create(alice, { scopeKind: 'network' })), 'FORBIDDEN');
      assert.equal((await create(admin, { scopeKind: 'network' })).status, 201);
      assert.equal(codeOf(await create(alice, { scopeKind: 'country', scopeId: 'DE' })), 'FORBIDDEN');
      assert.equal(codeOf(await create(ncpDe, { scopeKind: 'country', scopeId: 'FR' })), 'FORBIDDEN');
      assert.equal((await create(ncpDe, { scopeKind: 'country', scopeId: 'DE' })).status, 201);
      assert.equal((await create(admin, { scopeKind: 'country', scopeId: 'FR' })).status, 201);
      assert.equal(codeOf(await create(ncpDe, { scopeKind: 'country' })), 'VALIDATION_FAILED');
      assert.equal(codeOf(await create(lead, { scopeKind: 'tig', scopeId: 'tig-drugs' })), 'FORBIDDEN');
      const tig = await create(lead, { scopeKind: 'tig', scopeId: 'tig-cyber' });
      assert.equal(tig.status, 201);
      assert.equal(tig.body.scopeKind, 'tig');
      assert.equal(tig.body.scopeId, 'tig-cyber');

      const adhoc = await create(alice, { description: 'ad hoc' });
      assert.equal(adhoc.status, 201);
      assert.equal(adhoc.body.role, 'owner');
      assert.equal(adhoc.body.memberCount, 1);
      assert.deepEqual([...(await members(alice, adhoc.body.id))], [[alice.id, 'owner']]);
    });

    it('lets anyone join an open channel and shows it in the directory with its count', async () => {
      nameCounter += 1;
      const name = `Open plaza ${String(nameCounter)}`;
      const id = await channel(alice, { name });
      const joined = await join(bob, id);
      assert.equal(joined.status, 200);
      assert.deepEqual(joined.body, { joined: true, requested: false });
      assert.equal((await members(bob, id)).get(bob.id), 'member');
      const found = await directory(carol, `?q=${encodeURIComponent('OPEN PLAZA')}`);
      const entry = found.body.channels.find((c) => c.id === id);
      assert.ok(entry);
      assert.equal(entry.memberCount, 2);
      assert.equal(entry.joined, false);
      const mine = await directory(bob, `?q=${encodeURIComponent(name)}`);
      assert.equal(mine.body.channels.find((c) => c.id === id)?.joined, true);
    });

    it('pages the directory by name', async () => {
      for (const suffix of ['c', 'a', 'b']) await channel(alice, { name: `Paged ${suffix}` });
      const first = await directory(bob, '?q=paged&limit=2');
      assert.deepEqual(
        first.body.channels.map((c) => c.name),
        ['Paged a', 'Paged b'],
      );
      assert.ok(first.body.nextCursor);
      const second = await directory(bob, `?q=paged&limit=2&cursor=${first.body.nextCursor}`);
      assert.deepEqual(
        second.body.channels.map((c) => c.name),
        ['Paged c'],
      );
      assert.equal(second.body.nextCursor, null);
    });

    it('admits to a password channel only with the password, and throttles guessing', async () => {
      assert.equal(codeOf(await create(alice, { joinMode: 'password' })), 'VALIDATION_FAILED');
      const id = await channel(alice, { joinMode: 'password', password: 'open sesame 42' });
      const wrong = await join(bob, id, { password: 'guess guess' });
      assert.equal(wrong.status, 401);
      assert.equal(codeOf(wrong), 'INVALID_CREDENTIALS');
      assert.equal(codeOf(await join(bob, id)), 'INVALID_CREDENTIALS');
      assert.equal((await join(bob, id, { password: 'open sesame 42' })).status, 200);

      for (let i = 0; i < 5; i++) {
        assert.equal(
          codeOf(await join(carol, id, { password: `wrong ${String(i)}` })),
          'INVALID_CREDENTIALS',
        );
      }
      const locked = await join(carol, id, { password: 'open sesame 42' });
      assert.equal(locked.status, 429);
      assert.equal(codeOf(locked), 'LOGIN_THROTTLED');
      // Another user is not affected by carol's lock.
      assert.equal((await join(dave, id, { password: 'open sesame 42' })).status, 200);
      server.clock.advance(16 * 60_000);
      assert.equal((await join(carol, id, { password: 'open sesame 42' })).status, 200);
    });

    it('turns a join of a closed channel into a request that a manager approves or rejects', async () => {
      const id = await channel(alice, { joinMode: 'closed' });
      await invite(alice, id, [dave.id]);
      const asked = await join(bob, id);
      assert.equal(asked.status, 202);
      assert.deepEqual(asked.body, { joined: false, requested: true });
      assert.equal((await join(carol, id)).status, 202);
      assert.equal(
        codeOf(await server.api.get(`/api/v1/channels/${id}/members`, { token: bob.token })),
        'NOT_FOUND',
      );

      assert.equal(
        codeOf(await server.api.get(`/api/v1/channels/${id}/requests`, { token: dave.token })),
        'FORBIDDEN',
      );
      const requests = await server.api.get<ChannelJoinRequestsResponse>(`/api/v1/channels/${id}/requests`, {
        token: alice.token,
      });
      assert.deepEqual(requests.body.requests.map((r) => r.userId).sort(), [bob.id, carol.id].sort());
      const approve = (userId: string, actor = alice) =>
        server.api.post(`/api/v1/channels/${id}/requests/${userId}/approve`, undefined, {
          token: actor.token,
        });
      assert.equal(codeOf(await approve(bob.id, dave)), 'FORBIDDEN');
      assert.equal((await approve(bob.id)).status, 204);
      assert.equal(
        (
          await server.api.post(`/api/v1/channels/${id}/requests/${carol.id}/reject`, undefined, {
            token: alice.token,
          })
        ).status,
        204,
      );
      assert.equal(codeOf(await approve(carol.id)), 'NOT_FOUND');
      const now = await members(alice, id);
      assert.equal(now.get(bob.id), 'member');
      assert.equal(now.has(carol.id), false);
    });

    it('keeps hidden channels out of the directory and answers NOT_FOUND to outsiders joining', async () => {
      nameCounter += 1;
      const name = `Hidden den ${String(nameCounter)}`;
      const id = await channel(alice, { name, listed: false });
      const listing = await directory(bob, `?q=${encodeURIComponent(name)}`);
      assert.deepEqual(listing.body.channels, []);
      const hidden = await join(bob, id);
      const unknown = await join(bob, UNKNOWN);
      assert.equal(hidden.status, 404);
      assert.deepEqual(
        { status: hidden.status, code: codeOf(hidden) },
        { status: unknown.status, code: codeOf(unknown) },
      );
      // Only an invitation gets someone in; even members do not see it in the directory.
      assert.deepEqual((await invite(alice, id, [bob.id])).body, { added: [bob.id] });
      assert.equal((await members(bob, id)).get(bob.id), 'member');
      assert.deepEqual((await directory(alice, `?q=${encodeURIComponent(name)}`)).body.channels, []);
    });

    it('keeps partner guests out of AMBER+STRICT channels and shows them only their own channels', async () => {
      const strict = await channel(alice, { tlp: 'AMBER+STRICT' });
      const joined = await join(guest, strict);
      assert.equal(codeOf(joined), 'TLP_VIOLATION');
      assert.equal(ruleOf(joined), 'guest_excluded_from_strict');
      const invited = await invite(alice, strict, [guest.id]);
      assert.equal(codeOf(invited), 'TLP_VIOLATION');
      assert.equal(ruleOf(invited), 'guest_excluded_from_strict');

      const green = await channel(alice, { tlp: 'GREEN' });
      assert.equal((await invite(alice, green, [guest.id])).status, 200);
      const seen = await directory(guest, '?limit=200');
      assert.deepEqual(
        seen.body.channels.map((c) => c.id),
        [green],
      );
    });

    it('lets the owner and managers manage members, each only below them', async () => {
      const id = await channel(alice);
      for (const actor of [bob, carol, dave]) assert.equal((await join(actor, id)).status, 200);
      assert.equal(codeOf(await setRole(dave, id, carol.id, 'moderator')), 'FORBIDDEN');
      assert.equal((await setRole(alice, id, bob.id, 'manager')).status, 200);
      assert.equal((await setRole(bob, id, carol.id, 'moderator')).status, 200);
      assert.equal(codeOf(await setRole(bob, id, alice.id, 'member')), 'FORBIDDEN');
      assert.equal(codeOf(await setRole(alice, id, alice.id, 'member')), 'FORBIDDEN');

      assert.equal(codeOf(await remove(carol, id, dave.id)), 'FORBIDDEN');
      assert.equal(codeOf(await remove(bob, id, alice.id)), 'FORBIDDEN');
      assert.equal(reasonOf(await remove(bob, id, bob.id)), 'use_leave');
      assert.equal((await remove(bob, id, dave.id)).status, 204);
      assert.equal(codeOf(await remove(bob, id, dave.id)), 'NOT_FOUND');
      assert.equal((await remove(alice, id, bob.id)).status, 204);
      assert.deepEqual(
        [...(await members(alice, id))].sort(),
        [
          [alice.id, 'owner'],
          [carol.id, 'moderator'],
        ].sort(),
      );
      // A removed member no longer sees the channel at all.
      assert.equal(
        codeOf(await server.api.get(`/api/v1/channels/${id}/members`, { token: dave.token })),
        'NOT_FOUND',
      );
    });

    it('refuses to let a member leave a channel that forbids it, but not its managers', async () => {
      const id = await channel(alice, { leaveAllowed: false });
      for (const actor of [bob, carol]) assert.equal((await join(actor, id)).status, 200);
      const refused = await leave(bob, id);
      assert.equal(codeOf(refused), 'CONFLICT');
      assert.equal(reasonOf(refused), 'leave_not_allowed');
      assert.equal(reasonOf(await leave(alice, id)), 'last_manager');
      assert.equal((await setRole(alice, id, carol.id, 'manager')).status, 200);
      assert.equal((await leave(carol, id)).status, 204);
      assert.equal((await setRole(alice, id, bob.id, 'manager')).status, 200);
      assert.equal((await leave(alice, id)).status, 204);
      assert.deepEqual([...(await members(bob, id))], [[bob.id, 'manager']]);
    });

    it('lets only managers post in a read-only channel', async () => {
      const id = await channel(alice, { readOnly: true });
      assert.equal((await join(bob, id)).status, 200);
      const send = (actor: TestActor) =>
        server.api.post(
          `/api/v1/conversations/${id}/events`,
          { clientMessageId: newClientId(), kind: 'message', payload: payload('news') },
          { token: actor.token },
        );
      assert.equal(codeOf(await send(bob)), 'CONVERSATION_READ_ONLY');
      assert.equal((await send(alice)).status, 200);
      assert.equal((await setRole(alice, id, bob.id, 'manager')).status, 200);
      assert.equal((await send(bob)).status, 200);
    });

    it('changes settings for managers only, never lowers the marking, and never leaks the password', async () => {
      const id = await channel(alice, { tlp: 'AMBER' });
      assert.equal((await join(bob, id)).status, 200);
      const patch = (actor: TestActor, body: Record<string, unknown>) =>
        server.api.patch<ChannelDetails>(`/api/v1/channels/${id}`, body, { token: actor.token });
      assert.equal(codeOf(await patch(bob, { name: 'Mine now' })), 'FORBIDDEN');
      const lower = await patch(alice, { tlp: 'GREEN' });
      assert.equal(ruleOf(lower), 'no_downgrade');
      assert.equal(codeOf(await patch(alice, { joinMode: 'password' })), 'VALIDATION_FAILED');

      assert.equal((await invite(alice, id, [guest.id])).status, 200);
      assert.equal(ruleOf(await patch(alice, { tlp: 'AMBER+STRICT' })), 'guest_excluded_from_strict');
      assert.equal((await remove(alice, id, guest.id)).status, 204);

      const secret = 'a brand new secret';
      const changed = await patch(alice, {
        name: 'Renamed',
        tlp: 'AMBER+STRICT',
        joinMode: 'password',
        password: secret,
        messageTtlMs: 3_600_000,
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.name, 'Renamed');
      assert.equal(changed.body.tlp, 'AMBER+STRICT');
      assert.equal(changed.body.joinMode, 'password');
      assert.equal(changed.body.messageTtlMs, 3_600_000);

      const range = await server.api.get<EventRangeResponse>(`/api/v1/conversations/${id}/events?limit=500`, {
        token: bob.token,
      });
      const updates = range.body.events
        .map((e) => e.system as Record<string, unknown> | null)
        .filter((system) => system?.['type'] === 'conversation.updated');
      assert.equal(updates.length, 1);
      assert.deepEqual(updates[0]?.['changes'], {
        name: 'Renamed',
        tlp: 'AMBER+STRICT',
        joinMode: 'password',
        messageTtlMs: 3_600_000,
        passwordChanged: true,
      });
      assert.ok(!JSON.stringify(range.body).includes(secret));
      assert.equal((await join(carol, id, { password: secret })).status, 200);
    });
  });
}
