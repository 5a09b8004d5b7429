import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SendEventAck } from '@enlets/protocol';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/dialects.js';
import { LoopbackPushService } from './helpers/push-service.js';
import {
  freePort,
  seedMessagingFixture,
  ServerProcess,
  type MessagingFixture,
} from './helpers/spawn-server.js';

const GRACE_MS = 1_500;

/**
 * Web Push wake-ups wait one grace time in the sending process's memory (ADR 0018). A process killed in that
 * time must not leave the offline member unwoken: the restarted process catches up, once.
 */
for (const dialect of DIALECTS) {
  describe(`push: a crash loses no wake-up [${dialect}]`, () => {
    let testDb: TestDatabase;
    let fixture: MessagingFixture;
    let server: ServerProcess;
    let pushService: LoopbackPushService;

    before(async () => {
      pushService = new LoopbackPushService();
      await pushService.start();
      testDb = await createTestDatabase(dialect);
      fixture = await seedMessagingFixture(testDb.url, 3);
      server = new ServerProcess({
        databaseUrl: testDb.url,
        port: await freePort(),
        env: { ENLETS_PUSH_GRACE_MS: String(GRACE_MS), ENLETS_PUSH_ALLOW_LOOPBACK_HTTP: 'true' },
      });
      await server.start();
    });
    after(async () => {
      await server.stop();
      await testDb.drop();
      await pushService.stop();
    });

    /** Subscribes the device signed in with `token` at a fresh endpoint of the loopback push service. */
    async function subscribe(token: string): Promise<string> {
      const path = `/push/${randomUUID()}`;
      const res = await fetch(`${server.url}/api/v1/me/push-subscription`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          endpoint: `${pushService.origin}${path}`,
          keys: {
            p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
            auth: randomBytes(16).toString('base64url'),
          },
        }),
      });
      assert.equal(res.status, 204, await res.text());
      return path;
    }

    async function waitForPushes(path: string, count: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (pushService.to(path).length < count) {
        if (Date.now() > deadline) {
          assert.fail(
            `expected ${String(count)} push(es) to ${path}, got ${String(pushService.to(path).length)}`,
          );
        }
        await sleep(50);
      }
    }

    it('wakes after a restart the offline devices a SIGKILL left unwoken, and only once', async () => {
      const [sender, offline, alsoOffline] = fixture.members;
      assert.ok(sender && offline && alsoOffline);
      const senderPath = await subscribe(sender.token);
      const offlinePath = await subscribe(offline.token);
      const alsoOfflinePath = await subscribe(alsoOffline.token);

      const res = await fetch(`${server.url}/api/v1/conversations/${fixture.conversationId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sender.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          clientMessageId: randomUUID(),
          kind: 'message',
          payload: Buffer.from('wake up').toString('base64'),
        }),
      });
      const body = await res.text();
      assert.equal(res.status, 200, body);
      const ack = JSON.parse(body) as SendEventAck;
      assert.equal(ack.duplicate, false);
      // Acknowledged and committed; the wake-up is still waiting out its grace time when the process dies.
      await server.kill();
      assert.equal(pushService.to(offlinePath).length, 0, 'the killed process pushed nothing');

      await server.start();
      await waitForPushes(offlinePath, 1, 20_000);
      await waitForPushes(alsoOfflinePath, 1, 5_000);
      assert.equal(pushService.to(senderPath).length, 0, 'the sender is never woken by their own message');

      // Another restart (clean this time) finds the message again, but these devices were woken since.
      await server.stop();
      await server.start();
      await sleep(GRACE_MS * 3);
      assert.equal(pushService.to(offlinePath).length, 1, 'woken once, not again on every start');
      assert.equal(pushService.to(alsoOfflinePath).length, 1);
      assert.equal(pushService.to(senderPath).length, 0);
    });
  });
}
