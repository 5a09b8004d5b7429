import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { RedisBus } from '../../src/bus/redis-bus.js';
import type { BusMessage } from '../../src/domain/events.js';

/** The Redis of CI and of every developer machine (loopback only). */
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

function hint(n: number): BusMessage {
  return {
    type: 'ephemeral',
    recipients: [`user-${String(n)}`],
    frame: { type: 'typing', n },
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const numbers = (messages: readonly BusMessage[]): number[] =>
  messages.map((m) => (m.type === 'ephemeral' ? Number(m.frame['n']) : -1));

describe('bus/redis-bus', () => {
  const log = pino({ level: 'silent' });
  // A channel of this run only: other suites and processes may share the Redis.
  const channel = `enlets:test:${randomUUID()}`;
  let a: RedisBus;
  let b: RedisBus;

  before(async () => {
    a = await RedisBus.connect(REDIS_URL, { log, channel });
    b = await RedisBus.connect(REDIS_URL, { log, channel });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it("delivers each process's messages to both, once each and in publish order", async () => {
    const gotA: BusMessage[] = [];
    const gotB: BusMessage[] = [];
    const offA = a.subscribe((m) => gotA.push(m));
    const offB = b.subscribe((m) => gotB.push(m));
    const N = 200;
    for (let i = 0; i < N; i++) a.publish(hint(i));
    for (let i = N; i < 2 * N; i++) b.publish(hint(i));
    await until(() => gotA.length >= 2 * N && gotB.length >= 2 * N, 'both buses to see every message');
    // Give a stray echo the time to arrive before asserting there is none.
    await sleep(200);
    offA();
    offB();

    const fromA = Array.from({ length: N }, (_, i) => i);
    const fromB = Array.from({ length: N }, (_, i) => N + i);
    for (const [name, got] of [
      ['a', gotA],
      ['b', gotB],
    ] as const) {
      const seen = numbers(got);
      assert.equal(seen.length, 2 * N, `${name} saw ${String(seen.length)} messages`);
      assert.equal(new Set(seen).size, 2 * N, `${name} saw a message twice`);
      assert.deepEqual(
        seen.filter((n) => n < N),
        fromA,
      );
      assert.deepEqual(
        seen.filter((n) => n >= N),
        fromB,
      );
    }
  });

  it('delivers to its own process synchronously, before publish returns', async () => {
    const got: BusMessage[] = [];
    const other: BusMessage[] = [];
    const off = a.subscribe((m) => got.push(m));
    const offOther = b.subscribe((m) => other.push(m));
    a.publish(hint(7));
    assert.deepEqual(numbers(got), [7]);
    await until(() => other.length >= 1, 'the other process to get it');
    off();
    offOther();
    assert.deepEqual(numbers(got), [7]);
  });

  it('keeps delivering to the other handlers when one throws', async () => {
    const got: BusMessage[] = [];
    const offBad = b.subscribe(() => {
      throw new Error('a broken gateway');
    });
    const offGood = b.subscribe((m) => got.push(m));
    a.publish(hint(1));
    b.publish(hint(2));
    await until(() => got.length >= 2, 'both messages despite the failing handler');
    offBad();
    offGood();
    assert.deepEqual(numbers(got).sort(), [1, 2]);
  });

  it('ignores what others publish on its channel that is not a bus message', async () => {
    const got: BusMessage[] = [];
    const off = b.subscribe((m) => got.push(m));
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(channel, 'not json');
      await raw.publish(channel, JSON.stringify({ hello: 'world' }));
    } finally {
      raw.disconnect();
    }
    a.publish(hint(3));
    await until(() => got.length >= 1, 'the valid message');
    await sleep(100);
    off();
    assert.deepEqual(numbers(got), [3]);
  });

  it('reconnects after Redis drops its connections and delivers again', async () => {
    const got: BusMessage[] = [];
    const off = b.subscribe((m) => got.push(m));
    const admin = new Redis(REDIS_URL);
    try {
      const list = await admin.client('LIST');
      const ids = String(list)
        .split('\n')
        .filter((line) => line.includes(`name=enlets-bus-${b.id}-`))
        .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1]);
      assert.equal(ids.length, 2);
      for (const id of ids) await admin.client('KILL', 'ID', id!);
      // Once b has subscribed again, a's messages reach it again.
      let n = 100;
      const deadline = Date.now() + 10_000;
      while (!got.some((m) => m.type === 'ephemeral' && Number(m.frame['n']) >= 100)) {
        if (Date.now() > deadline) throw new Error('b never received again');
        a.publish(hint(n++));
        await sleep(50);
      }
      // And b can publish again.
      const atA: BusMessage[] = [];
      const offA = a.subscribe((m) => atA.push(m));
      await until(() => {
        b.publish(hint(1000));
        return atA.some((m) => m.type === 'ephemeral' && m.frame['n'] === 1000);
      }, 'a to hear from b again');
      offA();
    } finally {
      admin.disconnect();
      off();
    }
  });

  it('fails the start clearly when Redis cannot be reached', async () => {
    await assert.rejects(
      RedisBus.connect('redis://127.0.0.1:1', { log, channel, connectTimeoutMs: 1_000 }),
      /cannot reach the cluster bus at redis:\/\/127\.0\.0\.1:1 \(ENLETS_BUS_URL\)/,
    );
  });
});
