import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ConversationDetail,
  ConversationListResponse,
  ConversationSummary,
  CreateConversationResponse,
  ReceiptsResponse,
  SendEventAck,
} from '@enlets/protocol';
import type { BusMessage } from '../../src/domain/events.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { codeOf } from '../helpers/http.js';
import { newClientId, payload } from '../helpers/conversations.js';

type Ephemeral = Extract<BusMessage, { type: 'ephemeral' }>;

for (const dialect of DIALECTS) {
  describe(`http/routes/conversations: reads and receipts [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let carol: TestActor;
    const published: BusMessage[] = [];

    const group = async (owner: TestActor, members: TestActor[]) => {
      const res = await server.api.post<CreateConversationResponse>(
        '/api/v1/conversations',
        { kind: 'group', name: 'Desk', memberIds: members.map((m) => m.id) },
        { token: owner.token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.conversation.id;
    };
    const send = async (actor: TestActor, id: string, extra: Record<string, unknown> = {}) => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${id}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload('…'), ...extra },
        { token: actor.token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.seq;
    };
    const summary = async (token: string, id: string): Promise<ConversationSummary> => {
      const res = await server.api.get<ConversationListResponse>('/api/v1/conversations', { token });
      const found = res.body.conversations.find((c) => c.id === id);
      assert.ok(found, 'conversation in the list');
      return found;
    };
    const read = (token: string, id: string, seq: number) =>
      server.api.post<ConversationSummary>(`/api/v1/conversations/${id}/read`, { seq }, { token });
    const receipts = (actor: TestActor, id: string, seq: number) =>
      server.api.get<ReceiptsResponse>(`/api/v1/conversations/${id}/receipts?seq=${String(seq)}`, {
        token: actor.token,
      });
    const setReceipts = (actor: TestActor, enabled: boolean) =>
      server.api.put('/api/v1/me/read-receipts', { enabled }, { token: actor.token });
    const receiptsSince = (mark: number): Ephemeral[] =>
      published
        .slice(mark)
        .filter((m): m is Ephemeral => m.type === 'ephemeral' && m.frame['type'] === 'receipt');

    before(async () => {
      server = await startTestServer(dialect);
      server.built.services.bus.subscribe((m) => published.push(m));
      alice = await createActor(server);
      bob = await createActor(server);
      carol = await createActor(server);
    });
    after(() => server.close());

    it('counts unread messages and mentions from others, and a read on one device clears them on the other', async () => {
      const id = await group(alice, [bob, carol]);
      await send(alice, id);
      await send(bob, id);
      await send(bob, id, { mentions: [alice.id] });
      await send(carol, id, { mentionsAll: true });
      const unsent = await send(carol, id, { mentions: [bob.id] });
      const deleted = await send(bob, id, { mentions: [alice.id] });
      await send(bob, id, { kind: 'delete', refSeq: deleted });

      const phone = alice.token;
      const laptop = await newSession(server, alice);
      const before = await summary(phone, id);
      // Alice's own message, Bob's deleted one and the delete itself do not count.
      assert.equal(before.unreadCount, 4);
      assert.equal(before.mentionCount, 2);
      assert.equal((await summary(bob.token, id)).mentionCount, 2);

      const partial = await read(laptop, id, unsent - 1);
      assert.equal(partial.status, 200);
      assert.equal(partial.body.unreadCount, 1);
      assert.equal(partial.body.mentionCount, 0);
      const head = before.headSeq;
      assert.equal((await read(laptop, id, head)).status, 200);
      const after = await summary(phone, id);
      assert.deepEqual([after.unreadCount, after.mentionCount, after.lastReadSeq], [0, 0, head]);

      // A late read from a slower device does not move the position back.
      const late = await read(phone, id, 2);
      assert.equal(late.body.lastReadSeq, head);
      assert.equal(codeOf(await read(phone, id, head + 1)), 'INVALID_REFERENCE');

      await send(bob, id);
      assert.equal((await summary(laptop, id)).unreadCount, 1);
    });

    it('keeps "marked unread" until the next read', async () => {
      const id = await group(alice, [bob]);
      const seq = await send(bob, id);
      await read(alice.token, id, seq);
      const marked = await server.api.patch<ConversationSummary>(
        `/api/v1/conversations/${id}/me`,
        { markedUnread: true },
        { token: alice.token },
      );
      assert.equal(marked.body.markedUnread, true);
      const other = await newSession(server, alice);
      assert.equal((await summary(other, id)).markedUnread, true);
      const cleared = await read(other, id, seq);
      assert.equal(cleared.body.markedUnread, false);
      assert.equal((await summary(alice.token, id)).markedUnread, false);
    });

    it('shows who has seen a message, and tells receipt-sharing members at once', async () => {
      const id = await group(alice, [bob, carol]);
      const seq = await send(alice, id);
      const mark = published.length;
      assert.equal((await read(bob.token, id, seq)).status, 200);
      const seen = await receipts(alice, id, seq);
      assert.equal(seen.status, 200);
      assert.deepEqual(seen.body.seenBy, [{ userId: bob.id, lastReadSeq: seq }]);
      assert.deepEqual((await receipts(alice, id, seq + 1)).body.seenBy, []);

      const frames = receiptsSince(mark);
      assert.equal(frames.length, 1);
      const frame = frames[0];
      assert.ok(frame);
      assert.deepEqual([...frame.recipients].sort(), [alice.id, bob.id, carol.id].sort());
      assert.deepEqual(
        { ...frame.frame, at: 0 },
        { type: 'receipt', conversationId: id, userId: bob.id, seq, at: 0 },
      );
      const members = await server.api.get<ConversationDetail>(`/api/v1/conversations/${id}`, {
        token: alice.token,
      });
      assert.equal(members.body.members.find((m) => m.userId === bob.id)?.lastReadSeq, seq);
    });

    it('honours the read-receipt opt-out both ways', async () => {
      const dave = await createActor(server);
      const id = await group(alice, [bob, dave]);
      const seq = await send(alice, id);
      const off = await setReceipts(dave, false);
      assert.deepEqual(off.body, { enabled: false });

      // Dave's read is not shown or announced, but still clears his own counts.
      let mark = published.length;
      const davesRead = await read(dave.token, id, seq);
      assert.equal(davesRead.body.lastReadSeq, seq);
      assert.deepEqual(receiptsSince(mark), []);
      assert.deepEqual((await receipts(alice, id, seq)).body.seenBy, []);
      const asAlice = await server.api.get<ConversationDetail>(`/api/v1/conversations/${id}`, {
        token: alice.token,
      });
      assert.equal(asAlice.body.members.find((m) => m.userId === dave.id)?.lastReadSeq, null);

      // Bob's read reaches the members who share receipts, not Dave.
      mark = published.length;
      await read(bob.token, id, seq);
      const frames = receiptsSince(mark);
      assert.equal(frames.length, 1);
      assert.ok(!frames[0]?.recipients.includes(dave.id));
      assert.ok(frames[0]?.recipients.includes(alice.id));

      // Who hides their own receipts sees nobody's.
      assert.deepEqual((await receipts(dave, id, seq)).body.seenBy, []);
      const asDave = await server.api.get<ConversationDetail>(`/api/v1/conversations/${id}`, {
        token: dave.token,
      });
      assert.equal(asDave.body.members.find((m) => m.userId === bob.id)?.lastReadSeq, null);
      assert.equal(asDave.body.members.find((m) => m.userId === dave.id)?.lastReadSeq, seq);

      assert.equal((await setReceipts(dave, true)).status, 200);
      assert.deepEqual(
        (await receipts(alice, id, seq)).body.seenBy.map((s) => s.userId).sort(),
        [bob.id, dave.id].sort(),
      );
      assert.equal(
        codeOf(await server.api.put('/api/v1/me/read-receipts', { enabled: 'yes' }, { token: dave.token })),
        'VALIDATION_FAILED',
      );
    });
  });
}
