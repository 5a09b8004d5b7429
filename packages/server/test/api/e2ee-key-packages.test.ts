import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { ClaimKeyPackagesResponse } from '@enlets/protocol';
import { createActor, newSession } from '../helpers/actors.js';
import { createConversation } from '../helpers/conversations.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { alignClockWithMls, E2eeUser, expectCode } from './e2ee-device.js';

/**
 * The KeyPackage pools of the MLS Delivery Service (ADR 0011): uploads are checked against the uploader's own
 * device and identity key, claims are atomic (a one-time package is never handed out twice, the last-resort one
 * when the pool is empty), packages die with their device, and users one may not see are NOT_FOUND.
 */
for (const dialect of DIALECTS) {
  describe(`api/e2ee key packages [${dialect}]`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { config: { rateLimitPerMinute: 1_000_000 } });
      alignClockWithMls(server);
    });
    after(() => server.close());

    const newUser = async (): Promise<E2eeUser> => {
      const user = new E2eeUser(server, await createActor(server));
      await user.registerIdentity();
      return user;
    };

    it('hands out 10 distinct one-time packages to 100 parallel claims, never one twice, then the last-resort one', async () => {
      const [owner, claimer] = [await newUser(), await newUser()];
      const device = await owner.device();
      const uploaded = await device.uploadKeyPackages(10, true);
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
      assert.deepEqual(uploaded.body, { oneTime: 10, lastResort: true });

      const answers = await Promise.all(
        Array.from({ length: 100 }, () =>
          server.api.post<ClaimKeyPackagesResponse>(
            '/api/v1/e2ee/key-packages/claim',
            { userIds: [owner.id] },
            { token: claimer.actor.token },
          ),
        ),
      );
      const handed = answers.map((res) => {
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.keyPackages.length, 1);
        return res.body.keyPackages[0]!;
      });
      const oneTime = handed.filter((k) => !k.lastResort).map((k) => k.keyPackage);
      const lastResort = handed.filter((k) => k.lastResort).map((k) => k.keyPackage);
      console.log(
        `e2ee claims [${dialect}]: ${String(oneTime.length)} one-time, ${String(new Set(oneTime).size)} distinct, ${String(lastResort.length)} last-resort`,
      );
      assert.equal(oneTime.length, 10);
      assert.equal(new Set(oneTime).size, 10, 'no one-time package handed out twice');
      assert.equal(lastResort.length, 90);
      assert.equal(new Set(lastResort).size, 1);
      assert.ok(handed.every((k) => k.deviceId === device.deviceId && k.userId === owner.id));
      const count = await server.api.get('/api/v1/e2ee/key-packages/count', { token: owner.actor.token });
      assert.deepEqual(count.body, { oneTime: 0, lastResort: true });
    });

    it('refuses key packages that are not the uploader’s own device signed by their identity key', async () => {
      const [alice, bob] = [await newUser(), await newUser()];
      const device = await alice.device();
      const bobDevice = await bob.device();
      const post = (text: string) =>
        server.api.post('/api/v1/e2ee/key-packages', { keyPackages: [text] }, { token: alice.actor.token });
      const forOther = await device.keyPackage({
        credentialFor: { userId: bob.id, deviceId: bobDevice.deviceId },
      });
      expectCode(await post(forOther.text), 400, 'KEY_PACKAGE_INVALID', 'a credential naming Bob');
      const otherDevice = await device.keyPackage({
        credentialFor: {
          userId: alice.id,
          deviceId: await newSession(server, alice.actor).then(() => randomUUID()),
        },
      });
      expectCode(await post(otherDevice.text), 400, 'KEY_PACKAGE_INVALID', 'another device of Alice');
      const wrongKey = await device.keyPackage({ signWith: ed25519.utils.randomSecretKey() });
      expectCode(await post(wrongKey.text), 400, 'KEY_PACKAGE_INVALID', 'signed by another identity key');
      const truncated = (await device.keyPackage()).text.slice(0, 60);
      expectCode(await post(truncated), 400, 'KEY_PACKAGE_INVALID', 'truncated bytes');
      const count = await server.api.get('/api/v1/e2ee/key-packages/count', { token: alice.actor.token });
      assert.deepEqual(count.body, { oneTime: 0, lastResort: false }, 'nothing stored');

      const carol = new E2eeUser(server, await createActor(server));
      const noIdentity = await (await carol.device()).keyPackage();
      const res = await server.api.post(
        '/api/v1/e2ee/key-packages',
        { keyPackages: [noIdentity.text] },
        { token: carol.actor.token },
      );
      expectCode(res, 409, 'E2EE_IDENTITY_REQUIRED', 'before registering an identity key');
    });

    it('forgets the packages of an ended device, and answers NOT_FOUND alike for users one may not see', async () => {
      const [alice, bob] = [await newUser(), await newUser()];
      const second = await alice.device(await newSession(server, alice.actor));
      assert.equal((await second.uploadKeyPackages(2, true)).status, 200);
      const claim = (userIds: string[], token = bob.actor.token) =>
        server.api.post<ClaimKeyPackagesResponse>('/api/v1/e2ee/key-packages/claim', { userIds }, { token });
      assert.equal((await claim([alice.id])).body.keyPackages.length, 1);
      const logout = await server.api.post('/api/v1/auth/logout', undefined, { token: second.token });
      assert.ok(logout.status < 300, JSON.stringify(logout.body));
      assert.deepEqual((await claim([alice.id])).body.keyPackages, [], 'an ended device has no packages');

      // A partner guest sees only people they share a conversation with.
      const guest = new E2eeUser(server, await createActor(server, { roles: [{ role: 'partner_guest' }] }));
      const hidden = await claim([alice.id], guest.actor.token);
      const unknownId = randomUUID();
      const unknown = await claim([unknownId], guest.actor.token);
      expectCode(hidden, 404, 'NOT_FOUND', 'someone the guest cannot see');
      expectCode(unknown, 404, 'NOT_FOUND', 'an unknown user');
      assert.equal(
        JSON.stringify(hidden.body)
          .replace(alice.id, '<id>')
          .replace(/"requestId":"[^"]*"/, ''),
        JSON.stringify(unknown.body)
          .replace(unknownId, '<id>')
          .replace(/"requestId":"[^"]*"/, ''),
      );
      await createConversation(server, { members: [{ id: guest.id }, { id: alice.id }] });
      assert.equal(
        (await claim([alice.id], guest.actor.token)).status,
        200,
        'visible once they share a conversation',
      );
    });
  });
}
