import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConversationCreated, EventRangeResponse, SendEventAck } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { codeOf } from '../helpers/http.js';
import { newClientId, payload } from '../helpers/conversations.js';

for (const dialect of DIALECTS) {
  describe(`http/routes/broadcasts [${dialect}]`, () => {
    let server: TestServer;
    let sender: TestActor;
    let bob: TestActor;
    let carol: TestActor;
    let mallory: TestActor;
    let broadcast: string;

    const send = (actor: TestActor, conversationId: string, body: Record<string, unknown> = {}) =>
      server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload('hi'), ...body },
        { token: actor.token },
      );
    const reply = (actor: TestActor, id: string) =>
      server.api.post<ConversationCreated>(`/api/v1/broadcasts/${id}/reply`, undefined, {
        token: actor.token,
      });

    before(async () => {
      server = await startTestServer(dialect);
      sender = await createActor(server);
      bob = await createActor(server);
      carol = await createActor(server);
      mallory = await createActor(server);
      const created = await server.api.post<ConversationCreated>(
        '/api/v1/broadcasts',
        { name: 'Weekly bulletin', recipientIds: [bob.id, carol.id] },
        { token: sender.token },
      );
      assert.equal(created.status, 201);
      broadcast = created.body.conversationId;
    });
    after(() => server.close());

    it('lets the sender post and the recipients only read and react', async () => {
      const news = await send(sender, broadcast);
      assert.equal(news.status, 200);
      assert.equal(codeOf(await send(bob, broadcast)), 'CONVERSATION_READ_ONLY');
      const reaction = await send(bob, broadcast, { kind: 'reaction', refSeq: news.body.seq });
      assert.equal(reaction.status, 200);
      const range = await server.api.get<EventRangeResponse>(`/api/v1/conversations/${broadcast}/events`, {
        token: carol.token,
      });
      assert.ok(range.body.events.some((e) => e.seq === news.body.seq));
      assert.equal(codeOf(await send(mallory, broadcast)), 'NOT_FOUND');
    });

    it('opens one private conversation per recipient with the sender, however often they reply', async () => {
      const first = await reply(bob, broadcast);
      assert.equal(first.status, 200);
      const again = await reply(bob, broadcast);
      assert.equal(again.body.conversationId, first.body.conversationId);
      const carols = await reply(carol, broadcast);
      assert.notEqual(carols.body.conversationId, first.body.conversationId);

      const direct = first.body.conversationId;
      assert.equal((await send(bob, direct)).status, 200);
      assert.equal((await send(sender, direct)).status, 200);
      // Carol is not in Bob's conversation with the sender.
      assert.equal(codeOf(await send(carol, direct)), 'NOT_FOUND');
    });

    it('answers NOT_FOUND to outsiders and CONFLICT to the sender replying to themselves', async () => {
      assert.equal(codeOf(await reply(mallory, broadcast)), 'NOT_FOUND');
      assert.equal(codeOf(await reply(bob, '00000000-0000-4000-8000-000000000000')), 'NOT_FOUND');
      assert.equal(codeOf(await reply(sender, broadcast)), 'CONFLICT');
    });
  });
}
