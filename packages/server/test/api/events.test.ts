import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConversationEvent, EventRangeResponse, SendEventAck, SyncResponse } from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { codeOf } from '../helpers/http.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';

for (const dialect of DIALECTS) {
  describe(`http/routes/events [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let mallory: TestActor;
    let conversation: string;

    const send = (actor: TestActor, conversationId: string, body: Record<string, unknown>) =>
      server.api.post<SendEventAck>(`/api/v1/conversations/${conversationId}/events`, body, {
        token: actor.token,
      });
    const message = (text: string, extra: Record<string, unknown> = {}) => ({
      clientMessageId: newClientId(),
      kind: 'message',
      payload: payload(text),
      ...extra,
    });

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      mallory = await createActor(server);
      conversation = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
    });
    after(() => server.close());

    it('acknowledges a message with the next seq and stores it byte for byte', async () => {
      const body = message('hello Bob');
      const res = await send(alice, conversation, body);
      assert.equal(res.status, 200);
      assert.equal(res.body.duplicate, false);
      const range = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversation}/events?afterSeq=${String(res.body.seq - 1)}`,
        { token: bob.token },
      );
      const event = range.body.events[0];
      assert.ok(event);
      assert.equal(event.seq, res.body.seq);
      assert.equal(event.payload, body.payload);
      assert.equal(event.senderId, alice.id);
    });

    it('stores a retried send once and answers it with the same seq', async () => {
      const body = message('only once');
      const first = await send(alice, conversation, body);
      const retries = await Promise.all([send(alice, conversation, body), send(alice, conversation, body)]);
      for (const r of retries) {
        assert.equal(r.status, 200);
        assert.equal(r.body.seq, first.body.seq);
        assert.equal(r.body.duplicate, true);
      }
      const range = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversation}/events?limit=500`,
        {
          token: bob.token,
        },
      );
      assert.equal(range.body.events.filter((e) => e.clientMessageId === body.clientMessageId).length, 1);
    });

    it('hands out gap-free seqs to concurrent senders, each exactly once', async () => {
      const before = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversation}/events?limit=1`,
        {
          token: bob.token,
        },
      );
      const start = before.body.headSeq;
      const bodies = Array.from({ length: 40 }, (_, i) => message(`burst ${String(i)}`));
      // Every message is sent twice at once: retries race with the originals.
      const acks = await Promise.all(
        bodies.flatMap((b, i) => [
          send(i % 2 ? alice : bob, conversation, b),
          send(i % 2 ? alice : bob, conversation, b),
        ]),
      );
      assert.ok(acks.every((a) => a.status === 200));
      const seqs = [...new Set(acks.map((a) => a.body.seq))].sort((a, b) => a - b);
      assert.deepEqual(
        seqs,
        Array.from({ length: 40 }, (_, i) => start + i + 1),
      );
      const after = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversation}/events?afterSeq=${String(start)}&limit=500`,
        { token: alice.token },
      );
      assert.deepEqual(
        after.body.events.map((e) => e.seq),
        seqs,
      );
    });

    it('answers NOT_FOUND alike for a conversation of others and an unknown one', async () => {
      const others = await send(mallory, conversation, message('let me in'));
      const unknown = await send(mallory, '00000000-0000-4000-8000-000000000000', message('anyone?'));
      assert.equal(others.status, 404);
      assert.deepEqual(
        { status: others.status, code: codeOf(others) },
        { status: unknown.status, code: codeOf(unknown) },
      );
      const read = await server.api.get(`/api/v1/conversations/${conversation}/events`, {
        token: mallory.token,
      });
      assert.equal(read.status, 404);
    });

    it('lets only the sender edit, and a moderator delete, erasing the server copy', async () => {
      const original = await send(alice, conversation, message('typo heer'));
      const bobEdits = await send(bob, conversation, {
        ...message('hijack'),
        kind: 'edit',
        refSeq: original.body.seq,
      });
      assert.equal(codeOf(bobEdits), 'INVALID_REFERENCE');
      const edit = await send(alice, conversation, {
        ...message('typo here'),
        kind: 'edit',
        refSeq: original.body.seq,
      });
      assert.equal(edit.status, 200);
      const bobDeletes = await send(bob, conversation, {
        ...message(''),
        kind: 'delete',
        refSeq: original.body.seq,
      });
      assert.equal(codeOf(bobDeletes), 'INVALID_REFERENCE');
      const del = await send(alice, conversation, {
        ...message(''),
        kind: 'delete',
        refSeq: original.body.seq,
      });
      assert.equal(del.status, 200);
      const range = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversation}/events?afterSeq=${String(original.body.seq - 1)}&limit=1`,
        { token: bob.token },
      );
      const erased = range.body.events[0];
      assert.ok(erased);
      assert.equal(erased.payload, null);
      assert.ok(erased.deletedAt);
      assert.equal(erased.deletedByManager, false);
      // The edit carried the corrected text: it is erased with the message it edited.
      const editEvent = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversation}/events?afterSeq=${String(edit.body.seq - 1)}&limit=1`,
        { token: bob.token },
      );
      assert.equal(editEvent.body.events[0]?.payload, null);
    });

    it('refuses references to messages that do not exist yet and kinds without a reference', async () => {
      const future = await send(alice, conversation, { ...message('👍'), kind: 'reaction', refSeq: 999_999 });
      assert.equal(codeOf(future), 'INVALID_REFERENCE');
      const bare = await send(alice, conversation, { ...message('👍'), kind: 'reaction' });
      assert.equal(codeOf(bare), 'INVALID_REFERENCE');
    });

    it('refuses a message marked below the conversation and content from members of a read-only channel', async () => {
      const amber = await createConversation(server, {
        kind: 'channel',
        tlp: 'AMBER',
        readOnly: true,
        members: [{ id: alice.id, role: 'manager' }, { id: bob.id }],
      });
      const low = await send(alice, amber, message('clear?', { tlp: 'GREEN' }));
      assert.equal(codeOf(low), 'TLP_VIOLATION');
      assert.equal(
        (low.body as unknown as { error: { details: { rule: string } } }).error.details.rule,
        'message_below_conversation',
      );
      const ok = await send(alice, amber, message('briefing', { tlp: 'RED' }));
      assert.equal(ok.status, 200);
      const member = await send(bob, amber, message('can I post?'));
      assert.equal(codeOf(member), 'CONVERSATION_READ_ONLY');
      const reaction = await send(bob, amber, { ...message('👍'), kind: 'reaction', refSeq: ok.body.seq });
      assert.equal(reaction.status, 200);
    });

    it('syncs exactly what a device missed across conversations, then nothing more', async () => {
      const second = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
      const start = await server.api.post<SyncResponse>('/api/v1/sync', {}, { token: bob.token });
      assert.equal(start.status, 200);
      assert.deepEqual(start.body.events, []);

      const sent: SendEventAck[] = [];
      for (const [i, target] of [conversation, second, conversation].entries()) {
        sent.push((await send(alice, target, message(`while away ${String(i)}`))).body);
      }
      const missed = await server.api.post<SyncResponse>(
        '/api/v1/sync',
        { token: start.body.token },
        { token: bob.token },
      );
      const got = missed.body.events
        .map((e: ConversationEvent) => `${e.conversationId}:${String(e.seq)}`)
        .sort();
      assert.deepEqual(got, sent.map((a) => `${a.conversationId}:${String(a.seq)}`).sort());
      assert.equal(missed.body.hasMore, false);

      const again = await server.api.post<SyncResponse>(
        '/api/v1/sync',
        { token: missed.body.token },
        { token: bob.token },
      );
      assert.deepEqual(again.body.events, []);
    });

    it('pages a long sync with hasMore and loses nothing between pages', async () => {
      const start = await server.api.post<SyncResponse>('/api/v1/sync', {}, { token: bob.token });
      const acks: number[] = [];
      for (let i = 0; i < 25; i += 1)
        acks.push((await send(alice, conversation, message(`page ${String(i)}`))).body.seq);
      let token = start.body.token;
      const seen: number[] = [];
      for (let round = 0; round < 10; round += 1) {
        const page = await server.api.post<SyncResponse>(
          '/api/v1/sync',
          { token, limit: 7 },
          { token: bob.token },
        );
        seen.push(...page.body.events.map((e) => e.seq));
        token = page.body.token;
        if (!page.body.hasMore) break;
      }
      assert.deepEqual(seen, acks);
    });

    it('answers RESYNC_REQUIRED for a token older than 90 days and VALIDATION_FAILED for garbage', async () => {
      const start = await server.api.post<SyncResponse>('/api/v1/sync', {}, { token: bob.token });
      const garbage = await server.api.post('/api/v1/sync', { token: 'AAAA' }, { token: bob.token });
      assert.equal(codeOf(garbage), 'VALIDATION_FAILED');
      server.clock.advance(91 * 24 * 3600 * 1000);
      const freshLogin = await newSession(server, bob);
      const old = await server.api.post('/api/v1/sync', { token: start.body.token }, { token: freshLogin });
      assert.equal(old.status, 410);
      assert.equal(codeOf(old), 'RESYNC_REQUIRED');
    });
  });
}
