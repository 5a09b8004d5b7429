import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelDetails, EventRangeResponse, SendEventAck } from '@enlets/protocol';
import { eraseExpired } from '../../src/domain/actions/expiry.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { newClientId, payload } from '../helpers/conversations.js';

for (const dialect of DIALECTS) {
  describe(`domain/actions/expiry [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
    });
    after(() => server.close());

    it('erases the server copy of messages once their channel timer has run out', async () => {
      const created = await server.api.post<ChannelDetails>(
        '/api/v1/channels',
        {
          name: 'Short-lived',
          tlp: 'GREEN',
          joinMode: 'open',
          listed: true,
          readOnly: false,
          leaveAllowed: true,
          scopeKind: 'adhoc',
        },
        { token: alice.token },
      );
      const id = created.body.id;
      const ttl = 10 * 60_000;
      const patched = await server.api.patch(
        `/api/v1/channels/${id}`,
        { messageTtlMs: ttl },
        { token: alice.token },
      );
      assert.equal(patched.status, 200);
      const send = (text: string) =>
        server.api.post<SendEventAck>(
          `/api/v1/conversations/${id}/events`,
          { clientMessageId: newClientId(), kind: 'message', payload: payload(text) },
          { token: alice.token },
        );
      const early = (await send('gone soon')).body.seq;
      server.clock.advance(ttl / 2);
      const late = (await send('gone later')).body.seq;

      assert.equal(await eraseExpired(server.built.services), 0);
      server.clock.advance(ttl / 2 + 1);
      assert.equal(await eraseExpired(server.built.services), 1);
      assert.equal(await eraseExpired(server.built.services), 0);

      const range = await server.api.get<EventRangeResponse>(`/api/v1/conversations/${id}/events`, {
        token: alice.token,
      });
      const bySeq = new Map(range.body.events.map((e) => [e.seq, e]));
      const erased = bySeq.get(early);
      assert.ok(erased);
      assert.equal(erased.payload, null);
      assert.equal(erased.deletedAt, server.clock.now());
      assert.equal(erased.deletedByManager, false);
      const kept = bySeq.get(late);
      assert.equal(kept?.payload, payload('gone later'));
      assert.equal(kept.expiresAt, kept.createdAt + ttl);
    });
  });
}
