import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClaimKeyPackagesResponse, ConversationEvent, EventRangeResponse } from '@enlets/protocol';
import { defaultProposalTypes, type Proposal } from 'ts-mls';
import { createActor, newSession } from '../helpers/actors.js';
import { createConversation } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { codeOf } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addProposals, alignClockWithMls, E2eeUser, type E2eeDevice } from './e2ee-device.js';

const MEMBERS = 50;
/** Round 1: all 50 race; round 2: the 49 losers retry. */
const ROUNDS = 2;

/**
 * The issue's commit race: a group of 50 members (one device each, built with real ts-mls commits through the
 * API), all committing at the same epoch at once, each adding their own newly signed-in second device. Exactly
 * one commit is accepted per epoch; every loser gets MLS_EPOCH_MISMATCH with the seq it missed, processes the
 * winner's commit from the event log and retries at the new epoch, where again exactly one wins (two rounds: the
 * full 50-round convergence is the same step repeated and costs minutes). No group forks: all members end at the
 * same epoch with the same epoch authenticator, and only the accepted commits' Welcomes were stored.
 *
 * The commits add a device rather than update the committer's path: Add-only commits need no UpdatePath, which
 * keeps the race to cheap key operations in one process.
 */
for (const dialect of DIALECTS) {
  describe(`api/e2ee commit race [${dialect}]`, () => {
    let server: TestServer;
    let conversationId: string;
    const devices: E2eeDevice[] = [];
    /** Each member's second device, which their race commit adds. */
    const newDevices = new Map<E2eeDevice, E2eeDevice>();

    before(async () => {
      // Adding 49 devices in one commit carries 49 KeyPackages, a Welcome and a GroupInfo with 50 leaves: the
      // MLS routes' own body limit takes it (the API's general limit would not).
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      alignClockWithMls(server);
      const started = performance.now();
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
      for (const [i, device] of devices.entries()) {
        newDevices.set(device, await users[i]!.device(await newSession(server, users[i]!.actor)));
      }
      console.log(
        `e2ee commit race [${dialect}]: group of ${String(MEMBERS)} built through the API in ` +
          `${String(Math.round(performance.now() - started))} ms`,
      );
    });
    after(() => server.close());

    const commitEvent = async (device: E2eeDevice, seq: number): Promise<ConversationEvent> => {
      const res = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=${String(seq - 1)}&limit=1`,
        { token: device.token },
      );
      const event = res.body.events[0];
      assert.ok(event?.kind === 'mls.commit' && event.seq === seq, `the mls.commit event at ${String(seq)}`);
      return event;
    };

    it('accepts exactly one commit per epoch; the 49 losers catch up and retry, with no fork', async () => {
      const started = performance.now();
      const firstEpoch = devices[0]!.epoch;
      /** The Add of each member's second device: the same KeyPackage in every retry (it was never used). */
      const adds = new Map<E2eeDevice, Proposal>();
      for (const device of devices) {
        const own = await newDevices.get(device)!.keyPackage();
        adds.set(device, { proposalType: defaultProposalTypes.add, add: { keyPackage: own.publicPackage } });
      }
      let pending = [...devices];
      const losersPerRound: number[] = [];
      const winners: E2eeDevice[] = [];
      while (losersPerRound.length < ROUNDS) {
        const epoch = pending[0]!.epoch;
        assert.ok(
          devices.every((d) => d.epoch === epoch),
          'everyone starts the round at the same epoch',
        );
        const prepared = await Promise.all(
          pending.map((d) => d.prepareCommit([adds.get(d)!], { ratchetTreeInWelcome: false })),
        );
        const answers = await Promise.all(pending.map((d, i) => d.submit(conversationId, prepared[i]!)));
        const accepted = answers.flatMap((res, i) => (res.status === 200 ? [i] : []));
        assert.equal(accepted.length, 1, `epoch ${String(epoch)}: exactly one commit accepted`);
        const winner = pending[accepted[0]!]!;
        const seq = Number(answers[accepted[0]!]!.body['seq']);
        for (const res of answers.filter((r) => r.status !== 200)) {
          assert.equal(codeOf(res), 'MLS_EPOCH_MISMATCH', JSON.stringify(res.body));
          assert.deepEqual((res.body as { error: { details: unknown } }).error.details, {
            epoch: epoch + 1,
            missedSeqs: [seq],
          });
        }
        losersPerRound.push(answers.length - 1);
        // Everyone but the winner processes the winner's commit, fetched from the event log.
        const event = await commitEvent(winner, seq);
        await Promise.all(devices.filter((d) => d !== winner).map((d) => d.processCommit(event)));
        winners.push(winner);
        pending = pending.filter((d) => d !== winner);
      }
      const mismatches = losersPerRound.reduce((a, b) => a + b, 0);
      console.log(
        `e2ee commit race [${dialect}]: ${String(MEMBERS)} members, ${String(losersPerRound.length)} epochs, ` +
          `${String(losersPerRound[0])} losers in the first, ${String(mismatches)} MLS_EPOCH_MISMATCH in all, ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      assert.deepEqual(losersPerRound, [MEMBERS - 1, MEMBERS - 2], 'the 49 losers retried; one more won');
      const finalEpoch = firstEpoch + ROUNDS;
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
      // Exactly the accepted commits' Welcomes were stored: one for each winner's second device, none for losers'.
      for (const [member, device] of newDevices) {
        const welcomes = await server.api.get<{ welcomes: unknown[] }>('/api/v1/e2ee/welcomes', {
          token: device.token,
        });
        assert.equal(welcomes.body.welcomes.length, winners.includes(member) ? 1 : 0);
      }
    });
  });
}
