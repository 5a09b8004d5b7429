import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BookmarksResponse, PinsResponse, SendEventAck } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { codeOf } from '../helpers/http.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';

for (const dialect of DIALECTS) {
  describe(`http/routes/bookmarks [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let carol: TestActor;
    let mallory: TestActor;

    const send = (actor: TestActor, conversationId: string, body: Record<string, unknown> = {}) =>
      server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload('text'), ...body },
        { token: actor.token },
      );
    const pins = async (actor: TestActor, conversationId: string): Promise<number[]> => {
      const res = await server.api.get<PinsResponse>(`/api/v1/conversations/${conversationId}/pins`, {
        token: actor.token,
      });
      assert.equal(res.status, 200);
      return res.body.pins.map((p) => p.seq);
    };
    const bookmarks = async (actor: TestActor) =>
      (
        await server.api.get<BookmarksResponse>('/api/v1/me/bookmarks', { token: actor.token })
      ).body.bookmarks.map((b) => [b.conversationId, b.seq]);

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      carol = await createActor(server);
      mallory = await createActor(server);
    });
    after(() => server.close());

    it('lists the pinned messages from pins and unpins, leaving out deleted ones', async () => {
      const id = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      const one = (await send(alice, id)).body.seq;
      const two = (await send(bob, id)).body.seq;
      const three = (await send(bob, id)).body.seq;
      for (const seq of [one, two, three])
        assert.equal((await send(bob, id, { kind: 'pin', refSeq: seq })).status, 200);
      assert.deepEqual(await pins(alice, id), [one, two, three]);
      await send(alice, id, { kind: 'unpin', refSeq: one });
      await send(bob, id, { kind: 'delete', refSeq: three });
      await send(alice, id, { kind: 'pin', refSeq: one });
      assert.deepEqual(await pins(alice, id), [two, one]);
      assert.equal(
        codeOf(await server.api.get(`/api/v1/conversations/${id}/pins`, { token: mallory.token })),
        'NOT_FOUND',
      );
    });

    it('lets only managers and moderators pin in a channel', async () => {
      const id = await createConversation(server, {
        kind: 'channel',
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id, role: 'moderator' }, { id: carol.id }],
      });
      const seq = (await send(carol, id)).body.seq;
      assert.equal(codeOf(await send(carol, id, { kind: 'pin', refSeq: seq })), 'FORBIDDEN');
      assert.equal((await send(bob, id, { kind: 'pin', refSeq: seq })).status, 200);
      assert.equal(codeOf(await send(carol, id, { kind: 'unpin', refSeq: seq })), 'FORBIDDEN');
      assert.deepEqual(await pins(carol, id), [seq]);
      assert.equal((await send(alice, id, { kind: 'unpin', refSeq: seq })).status, 200);
      assert.deepEqual(await pins(carol, id), []);
    });

    it('keeps bookmarks private to their owner', async () => {
      const id = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      const first = (await send(alice, id)).body.seq;
      const second = (await send(bob, id)).body.seq;
      const put = (actor: TestActor, seq: number, conversationId = id) =>
        server.api.put(`/api/v1/conversations/${conversationId}/bookmarks/${String(seq)}`, undefined, {
          token: actor.token,
        });
      assert.equal((await put(alice, first)).status, 204);
      server.clock.advance(1000);
      assert.equal((await put(alice, second)).status, 204);
      assert.equal((await put(alice, second)).status, 204);
      assert.deepEqual(await bookmarks(alice), [
        [id, second],
        [id, first],
      ]);
      assert.deepEqual(await bookmarks(bob), []);
      assert.equal(codeOf(await put(mallory, first)), 'NOT_FOUND');
      assert.equal(codeOf(await put(alice, 9999)), 'INVALID_REFERENCE');

      const del = await server.api.delete(`/api/v1/conversations/${id}/bookmarks/${String(first)}`, {
        token: alice.token,
      });
      assert.equal(del.status, 204);
      assert.deepEqual(await bookmarks(alice), [[id, second]]);
    });
  });
}
