import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClaimKeyPackagesResponse, ConversationEvent, EventRangeResponse } from '@enlets/protocol';
import { createActor } from '../helpers/actors.js';
import { createConversation } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addProposals, alignClockWithMls, E2eeUser, type E2eeDevice } from './e2ee-device.js';

const MEMBERS = Number(process.env['E2EE_RACE_MEMBERS'] ?? 50);

/**
 * The commit race: a group of 50 members (one device each, built with real ts-mls commits through the
 * API), all committing at the same epoch at once. Exactly one commit is accepted per epoch; every loser gets
 * MLS_EPOCH_MISMATCH with the seqs it missed, processes the winner's commit from the event log and retries,
 * until every member's commit is in. No group forks: all members end at the same epoch with the same epoch
 * authenticator.
 */
for (const dialect of DIALECTS) {
  describe(`api/e2ee commit race [${dialect}]`, () => {
    let server: TestServer;
    let conversationId: string;
    const devices: E2eeDevice[] = [];

    before(async () => {
      // Adding 49 devices in one commit carries 49 KeyPackages, a Welcome and a GroupInfo with 50 leaves.
      server = await startTestServer(dialect, {
        config: { rateLimitPerMinute: 1_000_000, bodyLimitBytes: 1_048_576 },
      });
      alignClockWithMls(server);
      const t0 = performance.now();
      const users: E2eeUser[] = [];
      for (let i = 0; i < MEMBERS; i += 1) {
        const user = new E2eeUser(server, await createActor(server));
        await user.registerIdentity();
        users.push(user);
      }
      conversationId = await createConversation(server, { members: users.map((u) => ({ id: u.id })) });
      for (const user of users) devices.push(await user.device());
      for (const device of devices.slice(1))
        assert.equal((await device.uploadKeyPackages(1, false)).status, 200);
      const creator = devices[0]!;
      assert.equal((await creator.createGroup(conversationId)).status, 200);
      const claimed = await server.api.post<ClaimKeyPackagesResponse>(
        '/api/v1/e2ee/key-packages/claim',
        { userIds: users.slice(1).map((u) => u.id) },
        { token: creator.token },
      );
      assert.equal(claimed.body.keyPackages.length, MEMBERS - 1);
      const added = await creator.commit(conversationId, addProposals(claimed.body.keyPackages));
      assert.equal(added.status, 200, JSON.stringify(added.body));
      for (const device of devices.slice(1)) await device.acceptWelcome(conversationId);
      console.log(
        `e2ee commit race [${dialect}]: group of ${String(MEMBERS)} built in ${String(Math.round(performance.now() - t0))} ms`,
      );
    });
    after(() => server.close());

    const eventsAfter = async (device: E2eeDevice, afterSeq: number): Promise<ConversationEvent[]> => {
      const res = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=${String(afterSeq)}`,
        { token: device.token },
      );
      assert.equal(res.status, 200);
      return res.body.events;
    };

    it('accepts exactly one commit per epoch; the 49 losers catch up and retry until all are in, with no fork', async () => {
      const started = performance.now();
      let pending = [...devices];
      let rounds = 0;
      let mismatches = 0;
      const firstEpoch = devices[0]!.epoch;
      while (pending.length > 0) {
        rounds += 1;
        const epoch = pending[0]!.epoch;
        assert.ok(
          devices.every((d) => d.epoch === epoch),
          'everyone starts the round at the same epoch',
        );
        const prepared = await Promise.all(pending.map((d) => d.prepareCommit()));
        const answers = await Promise.all(pending.map((d, i) => d.submit(conversationId, prepared[i]!)));
        const accepted = answers.flatMap((res, i) => (res.status === 200 ? [i] : []));
        assert.equal(accepted.length, 1, `round ${String(rounds)}: exactly one commit accepted`);
        const winnerIndex = accepted[0]!;
        const winner = pending[winnerIndex]!;
        const seq = Number(answers[winnerIndex]!.body['seq']);
        for (const [i, res] of answers.entries()) {
          if (i === winnerIndex) continue;
          assert.equal(codeOf(res), 'MLS_EPOCH_MISMATCH', JSON.stringify(res.body));
          assert.deepEqual((res.body as { error: { details: unknown } }).error.details, {
            epoch: epoch + 1,
            missedSeqs: [seq],
          });
          mismatches += 1;
        }
        // Everyone but the winner processes the winner's commit, fetched from the event log.
        const [commit] = (await eventsAfter(winner, seq - 1)).filter((e) => e.kind === 'mls.commit');
        assert.equal(commit?.seq, seq);
        await Promise.all(devices.filter((d) => d !== winner).map((d) => d.processCommit(commit)));
        pending = pending.filter((d) => d !== winner);
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `e2ee commit race [${dialect}]: ${String(MEMBERS)} members, ${String(rounds)} rounds, ` +
          `${String(mismatches)} MLS_EPOCH_MISMATCH answers, ${seconds.toFixed(1)} s`,
      );
      assert.equal(rounds, MEMBERS);
      assert.equal(mismatches, (MEMBERS * (MEMBERS - 1)) / 2, 'round 1 had 49 losers, round 2 had 48, …');
      const finalEpoch = firstEpoch + MEMBERS;
      const authenticators = new Set(
        devices.map((d) => {
          assert.equal(d.epoch, finalEpoch);
          return Buffer.from(d.state!.keySchedule.epochAuthenticator).toString('hex');
        }),
      );
      assert.equal(authenticators.size, 1, 'every member holds the same epoch authenticator: no fork');
      const info = await server.api.get(`/api/v1/conversations/${conversationId}/mls/group-info`, {
        token: devices[0]!.token,
      });
      assert.equal(info.body['epoch'], finalEpoch);
    });
  });
}
