import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ConversationDetail,
  EventRangeResponse,
  HistoryShareRecorded,
  SendEventAck,
} from '@enlets/protocol';
import { verifyAuditChain } from '../../src/domain/audit.js';
import { listAuditEntries, type AuditEntry } from '../../src/storage/repositories/audit-log.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf, type ApiResponse } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function detailsOf(response: ApiResponse<unknown>): unknown {
  return (response.body as { error?: { details?: unknown } }).error?.details;
}

/**
 * History for newcomers (docs/decisions/0016-history-for-newcomers.md), as the server sees it: a setting only
 * the owner and managers change, every change audited and announced; a share record refused while the setting
 * is off, and otherwise audited, announced, and opening the shared range of the log to the newcomer.
 */
for (const dialect of DIALECTS) {
  describe(`api/history for newcomers [${dialect}]`, () => {
    let server: TestServer;
    let owner: TestActor;
    let manager: TestActor;
    let member: TestActor;
    let outsider: TestActor;

    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      [owner, manager, member, outsider] = [
        await createActor(server),
        await createActor(server),
        await createActor(server),
        await createActor(server),
      ];
    });
    after(() => server.close());

    const setting = (actor: TestActor, conversationId: string, value: 'on' | 'off') =>
      server.api.put<ConversationDetail>(
        `/api/v1/conversations/${conversationId}/history-for-newcomers`,
        { historyForNewcomers: value },
        { token: actor.token },
      );
    const share = (actor: TestActor, conversationId: string, body: Record<string, unknown>) =>
      server.api.post<HistoryShareRecorded>(`/api/v1/conversations/${conversationId}/history-shares`, body, {
        token: actor.token,
      });
    const send = async (actor: TestActor, conversationId: string, text: string): Promise<number> => {
      const sent = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { kind: 'message', clientMessageId: newClientId(), payload: payload(text) },
        { token: actor.token },
      );
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      return sent.body.seq;
    };
    const visibleSeqs = async (actor: TestActor, conversationId: string): Promise<number[]> => {
      const page = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=0`,
        { token: actor.token },
      );
      assert.equal(page.status, 200);
      return page.body.events.map((e) => e.seq);
    };
    const auditOf = async (conversationId: string): Promise<AuditEntry[]> =>
      (await listAuditEntries(server.built.services.db, 0, 10_000)).filter(
        (e) => e.targetId === conversationId,
      );
    const group = () =>
      createConversation(server, {
        members: [{ id: owner.id, role: 'owner' }, { id: manager.id, role: 'manager' }, { id: member.id }],
      });

    it('is off by default; only the owner and managers change it, each change audited and announced', async () => {
      const conversationId = await group();
      const detail = await server.api.get<ConversationDetail>(`/api/v1/conversations/${conversationId}`, {
        token: member.token,
      });
      assert.equal(detail.body.historyForNewcomers, 'off');

      const byMember = await setting(member, conversationId, 'on');
      assert.equal(byMember.status, 403);
      assert.equal(codeOf(byMember), 'FORBIDDEN');
      const byOutsider = await setting(outsider, conversationId, 'on');
      assert.equal(byOutsider.status, 404, 'a non-member cannot even learn the conversation exists');

      const on = await setting(manager, conversationId, 'on');
      assert.equal(on.status, 200, JSON.stringify(on.body));
      assert.equal(on.body.historyForNewcomers, 'on');
      // Setting the current value again changes and records nothing.
      assert.equal((await setting(owner, conversationId, 'on')).status, 200);
      const off = await setting(owner, conversationId, 'off');
      assert.equal(off.body.historyForNewcomers, 'off');

      const audit = await auditOf(conversationId);
      assert.deepEqual(
        audit.map((e) => [e.action, e.actorId, e.details]),
        [
          ['history_for_newcomers.changed', manager.id, { from: 'off', to: 'on' }],
          ['history_for_newcomers.changed', owner.id, { from: 'on', to: 'off' }],
        ],
      );
      const events = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=0`,
        { token: member.token },
      );
      const updates = events.body.events.filter(
        (e) => (e.system as { type?: string } | null)?.type === 'conversation.updated',
      );
      assert.deepEqual(
        updates.map((e) => e.system),
        [
          { type: 'conversation.updated', changes: { historyForNewcomers: 'on' }, by: manager.id },
          { type: 'conversation.updated', changes: { historyForNewcomers: 'off' }, by: owner.id },
        ],
      );
      assert.deepEqual(await verifyAuditChain(server.built.services), {
        ok: true,
        entries: (await listAuditEntries(server.built.services.db, 0, 10_000)).length,
        headHash: (await listAuditEntries(server.built.services.db, 0, 10_000)).at(-1)?.hash,
      });
    });

    it('stays off in 1:1 conversations and refuses bad values', async () => {
      const direct = await createConversation(server, {
        kind: 'direct',
        members: [{ id: owner.id }, { id: member.id }],
      });
      const refused = await setting(owner, direct, 'on');
      assert.equal(refused.status, 409);
      assert.equal(codeOf(refused), 'CONFLICT');
      assert.deepEqual(detailsOf(refused), { reason: 'kind' });
      const bad = await server.api.put(
        `/api/v1/conversations/${await group()}/history-for-newcomers`,
        { historyForNewcomers: 'sometimes' },
        { token: owner.token },
      );
      assert.equal(codeOf(bad), 'VALIDATION_FAILED');
    });

    it('refuses a share record while off; when on, records it, audits it and opens the range to the newcomer', async () => {
      const conversationId = await group();
      const first = await send(owner, conversationId, 'briefing one');
      await send(member, conversationId, 'briefing two');
      const newcomer = await createActor(server);
      const added = await server.api.post(
        `/api/v1/conversations/${conversationId}/members`,
        { userIds: [newcomer.id] },
        { token: member.token },
      );
      assert.equal(added.status, 200);
      const before = await visibleSeqs(newcomer, conversationId);
      assert.ok(!before.includes(first), 'a newcomer does not see what came before');
      const lastBefore = Math.min(...before) - 1;

      const whileOff = await share(member, conversationId, {
        recipientId: newcomer.id,
        fromSeq: first,
        toSeq: lastBefore,
      });
      assert.equal(whileOff.status, 409);
      assert.equal(codeOf(whileOff), 'HISTORY_SHARING_OFF');
      assert.deepEqual(await visibleSeqs(newcomer, conversationId), before, 'nothing opened');
      assert.equal((await auditOf(conversationId)).length, 0, 'nothing audited');

      assert.equal((await setting(owner, conversationId, 'on')).status, 200);
      const invalid: Array<[TestActor, Record<string, unknown>, string]> = [
        [member, { recipientId: member.id, fromSeq: first, toSeq: lastBefore }, 'recipient'],
        [member, { recipientId: outsider.id, fromSeq: first, toSeq: lastBefore }, 'recipient'],
        [member, { recipientId: newcomer.id, fromSeq: lastBefore, toSeq: first }, 'range'],
        [member, { recipientId: newcomer.id, fromSeq: first, toSeq: 10_000 }, 'range'],
        // The newcomer cannot pass on what it may not see itself.
        [newcomer, { recipientId: outsider.id, fromSeq: first, toSeq: lastBefore }, 'recipient'],
        [newcomer, { recipientId: owner.id, fromSeq: first, toSeq: lastBefore }, 'range'],
      ];
      for (const [actor, body, reason] of invalid) {
        const refused = await share(actor, conversationId, body);
        assert.equal(refused.status, 422, JSON.stringify(body));
        assert.equal(codeOf(refused), 'HISTORY_SHARE_INVALID');
        assert.deepEqual(detailsOf(refused), { reason });
      }

      const recorded = await share(member, conversationId, {
        recipientId: newcomer.id,
        fromSeq: first,
        toSeq: lastBefore,
      });
      assert.equal(recorded.status, 200, JSON.stringify(recorded.body));
      const seen = await visibleSeqs(newcomer, conversationId);
      assert.ok(seen.includes(first) && seen.includes(recorded.body.seq), 'the shared range is now listed');

      const events = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=${String(recorded.body.seq - 1)}`,
        { token: newcomer.token },
      );
      const sessions = await server.api.get<{ sessions: Array<{ id: string; current: boolean }> }>(
        '/api/v1/me/sessions',
        { token: member.token },
      );
      const deviceId = sessions.body.sessions.find((s) => s.current)?.id;
      const facts = { recipientId: newcomer.id, deviceId, fromSeq: first, toSeq: lastBefore };
      assert.deepEqual(events.body.events[0]?.system, { type: 'history.shared', by: member.id, ...facts });
      const audit = await auditOf(conversationId);
      assert.deepEqual(
        audit.map((e) => [e.action, e.actorId, e.details]),
        [
          ['history_for_newcomers.changed', owner.id, { from: 'off', to: 'on' }],
          ['history.shared', member.id, { ...facts, eventSeq: recorded.body.seq }],
        ],
      );
    });
  });
}
