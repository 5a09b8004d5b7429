import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/dialects.js';
import {
  compareDelivery,
  freePort,
  readConversation,
  seedMessagingFixture,
  sendUntilAcked,
  ServerProcess,
  syncFrom,
  type MessagingFixture,
} from '../helpers/spawn-server.js';

const CLIENTS = 32;
const MESSAGES_PER_CLIENT = 20;
const KILLS = 4;

/**
 * The delivery promise of ../shared/ARCHITECTURE.md under the worst a single node can suffer: the real server
 * process, 32 clients retrying like the SDK's outbox, and SIGKILL at random moments while requests are in
 * flight. Whatever was acknowledged must be readable by every member exactly once, at its seq, without gaps.
 */
for (const dialect of DIALECTS) {
  describe(`reliability: crash [${dialect}]`, () => {
    let testDb: TestDatabase;
    let fixture: MessagingFixture;
    let server: ServerProcess;

    before(async () => {
      testDb = await createTestDatabase(dialect);
      fixture = await seedMessagingFixture(testDb.url, CLIENTS);
      server = new ServerProcess({ databaseUrl: testDb.url, port: await freePort() });
      await server.start();
    });
    after(async () => {
      await server.stop();
      await testDb.drop();
    });

    it('loses, repeats and skips nothing it acknowledged across repeated SIGKILLs', async () => {
      const { members, conversationId } = fixture;
      // Sync tokens taken before anything is sent: each member device resumes from here at the end.
      const startTokens = await Promise.all(
        members.map(async (m) => (await syncFrom(server.url, m.token, undefined)).token),
      );

      const acked = new Map<string, number>();
      let retries = 0;
      const inFlight = { count: 0 };
      let duplicateAcks = 0;
      const deadline = Date.now() + 120_000;
      // Objects, not `let`s: the compiler cannot see the callbacks that change them.
      const flow = { sending: true, killing: true };
      // Each client sends at least MESSAGES_PER_CLIENT, and goes on until the last kill: every kill lands
      // mid-stream however fast the machine is.
      const clients = members.map(async (member, c) => {
        for (let i = 0; i < MESSAGES_PER_CLIENT || flow.killing; i++) {
          const clientMessageId = randomUUID();
          const body = {
            clientMessageId,
            kind: 'message',
            payload: Buffer.from(`client ${String(c)} message ${String(i)}`).toString('base64'),
          };
          const outcome = await sendUntilAcked(() => server.url, member.token, conversationId, body, {
            deadline,
            inFlight,
          });
          assert.equal(outcome.ack.clientMessageId, clientMessageId);
          assert.ok(!acked.has(clientMessageId));
          acked.set(clientMessageId, outcome.ack.seq);
          retries += outcome.retries;
          if (outcome.ack.duplicate) duplicateAcks += 1;
        }
      });
      const allSent = Promise.all(clients).finally(() => {
        flow.sending = false;
      });

      // The killer: a random moment after each (re)start, while the clients are busy.
      let kills = 0;
      const ackedAtKill: number[] = [];
      const inFlightAtKill: number[] = [];
      while (kills < KILLS && flow.sending) {
        await sleep(150 + Math.floor(Math.random() * 450));
        inFlightAtKill.push(inFlight.count);
        await server.kill();
        kills += 1;
        ackedAtKill.push(acked.size);
        await server.start();
      }
      flow.killing = false;
      await allSent;

      // Every member device reads the conversation: a range fetch from seq 0 (three members) and a sync from
      // the token taken before the first message (all of them).
      const readers = [members[0]!, members[1]!, members[CLIENTS - 1]!];
      const ranges = await Promise.all(
        readers.map((m) => readConversation(server.url, m.token, conversationId)),
      );
      const syncs = await Promise.all(members.map((m, i) => syncFrom(server.url, m.token, startTokens[i])));

      const headSeq = ranges[0]!.headSeq;
      const reports = [
        ...ranges.map((r) => compareDelivery(acked, r.events, r.headSeq)),
        ...syncs.map((s) => compareDelivery(acked, s.events, headSeq)),
      ];
      const worst = {
        lost: Math.max(...reports.map((r) => r.lost)),
        duplicated: Math.max(...reports.map((r) => r.duplicated)),
        gaps: Math.max(...reports.map((r) => r.gaps)),
        misplaced: Math.max(...reports.map((r) => r.misplaced)),
        unexpected: Math.max(...reports.map((r) => r.unexpected)),
      };
      console.log(
        `[crash ${dialect}] acked ${String(acked.size)} messages from ${String(CLIENTS)} clients, ` +
          `${String(kills)} SIGKILLs (acked so far at each: ${ackedAtKill.join(', ')}; requests in flight: ` +
          `${inFlightAtKill.join(', ')}), ` +
          `${String(server.starts)} starts, ${String(retries)} retried attempts, ` +
          `${String(duplicateAcks)} acks answered as duplicates; read by ${String(ranges.length)} range ` +
          `fetches and ${String(syncs.length)} syncs: lost ${String(worst.lost)}, duplicated ` +
          `${String(worst.duplicated)}, seq gaps ${String(worst.gaps)}, misplaced ${String(worst.misplaced)}, ` +
          `unacknowledged extras ${String(worst.unexpected)}; head seq ${String(headSeq)}`,
      );

      assert.ok(acked.size >= CLIENTS * MESSAGES_PER_CLIENT);
      assert.equal(kills, KILLS);
      assert.deepEqual(worst, { lost: 0, duplicated: 0, gaps: 0, misplaced: 0, unexpected: 0 });
      assert.equal(headSeq, acked.size);
      for (const r of ranges) assert.equal(r.events.length, acked.size);
      for (const s of syncs) assert.equal(s.events.length, acked.size);
      // Acked seqs are unique: two messages never share a seq.
      assert.equal(new Set(acked.values()).size, acked.size);
    });
  });
}
