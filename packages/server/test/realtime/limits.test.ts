import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE_CODES, type SendEventAck } from '@enlets/protocol';
import { FrameRateLimiter } from '../../src/realtime/rate-limit.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, newSession, type TestActor } from '../helpers/actors.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';
import { connectWs, settle } from '../helpers/ws.js';

describe('realtime/rate-limit (unit)', () => {
  it('lets a burst through, then the steady rate, and closes a flood that lasts', () => {
    const limiter = new FrameRateLimiter(
      { perSecond: 10, burst: 5, writesPerSecond: 10, writeBurst: 5, floodCloseMs: 3000 },
      0,
    );
    for (let i = 0; i < 5; i++) assert.equal(limiter.take(0), 'ok');
    assert.deepEqual(limiter.take(0), { drop: true, warn: true });
    assert.deepEqual(limiter.take(10), { drop: true, warn: false }, 'one warning a second');
    assert.equal(limiter.take(110), 'ok', 'refilled at 10/s');
    let t = 110;
    let verdict;
    do {
      t += 20;
      verdict = limiter.take(t);
    } while (verdict !== 'close' && t < 10_000);
    assert.equal(verdict, 'close');
    assert.ok(t >= 3000 && t < 3200, String(t));
  });

  it('gives writing frames a budget of their own, smaller than the frame budget', () => {
    const limiter = new FrameRateLimiter(
      { perSecond: 30, burst: 60, writesPerSecond: 10, writeBurst: 3, floodCloseMs: 3000 },
      0,
    );
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.take(0), 'ok');
      assert.equal(limiter.takeWrite(0), 'ok');
    }
    assert.equal(limiter.take(0), 'ok', 'the frame budget is far from spent');
    assert.deepEqual(limiter.takeWrite(0), { drop: true, warn: true }, 'but the write budget is');
    // Cheap frames still pass while writes are refused.
    for (let i = 0; i < 20; i++) assert.equal(limiter.take(1), 'ok');
    assert.equal(limiter.takeWrite(100), 'ok', 'refilled at 10/s');
    // A client that keeps writing too fast is closed like any flood.
    let t = 100;
    let verdict;
    do {
      t += 20;
      verdict = limiter.takeWrite(t);
    } while (verdict !== 'close' && t < 10_000);
    assert.equal(verdict, 'close');
    assert.ok(t >= 3000 && t < 3200, String(t));
  });

  it('forgives a client that went quiet for a second', () => {
    const limiter = new FrameRateLimiter(
      { perSecond: 1, burst: 1, writesPerSecond: 1, writeBurst: 1, floodCloseMs: 1500 },
      0,
    );
    assert.equal(limiter.take(0), 'ok');
    assert.notEqual(limiter.take(100), 'ok');
    assert.equal(limiter.take(1200), 'ok');
    assert.notEqual(limiter.take(1300), 'ok');
    // The flood started again at 1300, not at 100.
    assert.notEqual(limiter.take(2000), 'close');
  });
});

for (const dialect of DIALECTS) {
  describe(`realtime/limits [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let conversation: string;

    const sendHttp = async (text: string): Promise<SendEventAck> => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversation}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload(text) },
        { token: alice.token },
      );
      assert.equal(res.status, 200);
      return res.body;
    };

    before(async () => {
      server = await startTestServer(dialect);
      alice = await createActor(server);
      bob = await createActor(server);
      conversation = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
    });
    after(() => server.close());

    it('warns a flooding client with RATE_LIMITED, then closes it 4429, while others keep their messages', async () => {
      const gateway = server.built.gateway;
      const previous = gateway.limits.rate;
      gateway.configure({
        rate: { perSecond: 30, burst: 60, writesPerSecond: 10, writeBurst: 20, floodCloseMs: 800 },
      });
      const flooder = await connectWs(server, { token: bob.token });
      const calm = await connectWs(server, { token: await newSession(server, bob) });
      gateway.configure({ rate: previous });

      const flood = setInterval(() => {
        if (flooder.closeInfo !== undefined) return;
        for (let i = 0; i < 50; i++) flooder.send({ type: 'ping' });
      }, 20);
      try {
        const warning = await flooder.waitFor((f) => f['code'] === 'RATE_LIMITED');
        assert.equal(warning.type, 'error');
        const sent: SendEventAck[] = [];
        for (let i = 0; i < 5; i++) sent.push(await sendHttp(`during the flood ${String(i)}`));
        const closed = await flooder.waitClose(5000);
        assert.equal(closed.code, CLOSE_CODES.RATE_LIMITED);
        for (const ack of sent) {
          await calm.waitFor((f) => f.type === 'event' && (f['event'] as { seq: number }).seq === ack.seq);
        }
        assert.equal(calm.closeInfo, undefined);
        assert.equal((await calm.request({ type: 'ping' })).type, 'pong');
      } finally {
        clearInterval(flood);
      }
      await calm.close();
    });

    it('throttles sends past the write budget while cheap frames still go through', async () => {
      const gateway = server.built.gateway;
      const previous = gateway.limits.rate;
      gateway.configure({
        rate: { perSecond: 1000, burst: 1000, writesPerSecond: 1, writeBurst: 5, floodCloseMs: 60_000 },
      });
      const writer = await connectWs(server, { token: await newSession(server, alice) });
      gateway.configure({ rate: previous });
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const requestId = writer.nextRequestId('send');
        ids.push(requestId);
        writer.send({
          type: 'send',
          requestId,
          conversationId: conversation,
          event: { clientMessageId: newClientId(), kind: 'message', payload: payload(`burst ${String(i)}`) },
        });
      }
      const answers = await writer.waitForCount((f) => ids.includes(String(f['requestId'])), 6);
      await settle(300);
      const acked = writer.frames.filter((f) => f.type === 'ack' && ids.includes(String(f['requestId'])));
      assert.equal(acked.length, 5, 'the write burst');
      const limited = answers.find((f) => f.type === 'error');
      assert.equal(limited?.['code'], 'RATE_LIMITED');
      assert.match(String(limited['message']), /1 send and read frames per second/);
      // Reading pauses briefly for the over-limit client; its cheap frames are handled after that.
      assert.equal((await writer.request({ type: 'ping' }, 2000)).type, 'pong');
      assert.equal(writer.closeInfo, undefined);
      await writer.close();
    });

    it('closes a client that does not read (4408) without harming the others', async () => {
      const gateway = server.built.gateway;
      const previous = gateway.limits.maxBufferedBytes;
      gateway.configure({ maxBufferedBytes: 64 * 1024 });
      const slow = await connectWs(server, { token: bob.token });
      const reader = await connectWs(server, { token: await newSession(server, bob) });
      // The slow client stops reading: the kernel buffers fill, then the server's queue grows.
      (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      const before = gateway.closedWith(CLOSE_CODES.BACKPRESSURE);
      const big = 'x'.repeat(40_000);
      const sent: SendEventAck[] = [];
      try {
        for (let i = 0; i < 400 && gateway.closedWith(CLOSE_CODES.BACKPRESSURE) === before; i++) {
          sent.push(await sendHttp(big));
        }
        assert.equal(gateway.closedWith(CLOSE_CODES.BACKPRESSURE), before + 1, 'the slow reader was cut off');
        for (const ack of sent) {
          await reader.waitFor((f) => f.type === 'event' && (f['event'] as { seq: number }).seq === ack.seq);
        }
        assert.equal(reader.closeInfo, undefined);
      } finally {
        gateway.configure({ maxBufferedBytes: previous });
        (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      }
      // Once it reads again it learns why: the close frame came after what was queued.
      assert.equal((await slow.waitClose(8000)).code, CLOSE_CODES.BACKPRESSURE);
      await reader.close();
    });

    it('terminates a connection that stops answering pings', async () => {
      const gateway = server.built.gateway;
      gateway.configure({ heartbeatMs: 100 });
      try {
        const deaf = await connectWs(server, { token: bob.token, wsOptions: { autoPong: false } });
        const alive = await connectWs(server, { token: await newSession(server, bob) });
        const closed = await deaf.waitClose(3000);
        assert.equal(closed.code, 1006, 'cut off, no close handshake');
        await settle(300);
        assert.equal(alive.closeInfo, undefined, 'a client that answers pings stays');
        await alive.close();
      } finally {
        gateway.configure({ heartbeatMs: 30_000 });
      }
    });
  });
}
