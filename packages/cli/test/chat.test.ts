import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import {
  connect,
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRangeResponse, SendEventAck } from '@enlets/protocol';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation, newClientId, payload } from '../../server/test/helpers/conversations.js';
import { collect, runCli, spawnCli } from './run-cli.js';

/**
 * A TCP forwarder on a fixed port in front of the server: `down()` closes it (connections are refused, as with
 * a stopped server), `up()` listens on the same port again.
 */
async function startProxy(
  targetPort: string,
): Promise<{ url: string; down(): Promise<void>; up(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let listener: NetServer | undefined;
  let port = 0;
  const up = async (): Promise<void> => {
    const server = createNetServer((client) => {
      const upstream = connect(Number(targetPort), '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    listener = server;
  };
  await up();
  return {
    url: `http://127.0.0.1:${String(port)}`,
    up,
    async down() {
      const server = listener;
      listener = undefined;
      for (const s of sockets) s.destroy();
      if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function until(probe: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('cli: conversations, send, read, tail against a real server', () => {
  let server: TestServer;
  let alice: TestActor;
  let bob: TestActor;
  let conversationId: string;
  let aliceDir: string;
  let bobDir: string;

  /** Logs in through the CLI itself, so the saved session is exactly what a user gets. */
  const login = async (dir: string, actor: TestActor, url = server.url): Promise<void> => {
    const res = await runCli(['login', '--server', url, '--email', actor.email], {
      ENLETS_CONFIG_DIR: dir,
      ENLETS_PASSWORD: actor.password,
    });
    assert.equal(res.code, 0, res.stderr);
  };
  const history = async (): Promise<EventRangeResponse['events']> => {
    const res = await server.api.get<EventRangeResponse>(
      `/api/v1/conversations/${conversationId}/events?afterSeq=0&limit=500`,
      { token: alice.token },
    );
    return res.body.events;
  };

  before(async () => {
    server = await startTestServer('sqlite');
    alice = await createActor(server, { displayName: 'Alice' });
    bob = await createActor(server, { displayName: 'Bob' });
    conversationId = await createConversation(server, { members: [{ id: alice.id }, { id: bob.id }] });
    aliceDir = mkdtempSync(join(tmpdir(), 'enlets-chat-'));
    bobDir = mkdtempSync(join(tmpdir(), 'enlets-chat-'));
    await login(aliceDir, alice);
    await login(bobDir, bob);
  });
  after(async () => {
    await server.close();
    rmSync(aliceDir, { recursive: true, force: true });
    rmSync(bobDir, { recursive: true, force: true });
  });

  it('lists conversations', async () => {
    const res = await runCli(['conversations'], { ENLETS_CONFIG_DIR: aliceDir });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^ID +KIND +TLP +UNREAD +NAME$/m);
    assert.match(res.stdout, new RegExp(`^${conversationId} +group +GREEN +0 +Test conversation$`, 'm'));
  });

  it('send exits 0 after the ack, and read prints seq, time, sender, text', async () => {
    const sent = await runCli(['send', conversationId, 'Hello', 'from the CLI'], {
      ENLETS_CONFIG_DIR: aliceDir,
    });
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /^sent: seq 1 at 2026-01-01T09:00:00Z\n$/);
    const read = await runCli(['read', conversationId, '--limit', '5'], { ENLETS_CONFIG_DIR: bobDir });
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout, `1  2026-01-01T09:00:00Z  ${alice.id}  Hello from the CLI\n`);
  });

  it('keeps the message in the outbox file while the server is down, and send --flush delivers it once', async () => {
    const proxy = await startProxy(new URL(server.url).port);
    const dir = mkdtempSync(join(tmpdir(), 'enlets-chat-'));
    try {
      await login(dir, alice, proxy.url);
      await proxy.down();

      const queued = await runCli(['send', conversationId, 'written while offline', '--timeout', '1'], {
        ENLETS_CONFIG_DIR: dir,
      });
      assert.equal(queued.code, 75, queued.stderr);
      assert.match(queued.stderr, /kept in the outbox: run `enlets send --flush`/);
      const [storeDir] = readdirSync(join(dir, 'store'));
      assert.ok(storeDir !== undefined);
      const outboxFile = join(dir, 'store', storeDir, 'outbox.json');
      assert.equal(statSync(outboxFile).mode & 0o777, 0o600);
      const outbox = (JSON.parse(readFileSync(outboxFile, 'utf8')) as { outbox: Array<{ body: string }> })
        .outbox;
      assert.equal(outbox.length, 1);
      const body = JSON.parse(outbox[0]?.body ?? '{}') as { clientMessageId: string; payload: string };
      assert.equal(Buffer.from(body.payload, 'base64').toString('utf8'), 'written while offline');

      const stillDown = await runCli(['send', '--flush', '--timeout', '1'], { ENLETS_CONFIG_DIR: dir });
      assert.equal(stillDown.code, 75, stillDown.stderr);
      assert.match(stillDown.stdout, /flushed: 0 sent, 0 refused, 1 still queued/);

      await proxy.up();
      const flushed = await runCli(['send', '--flush'], { ENLETS_CONFIG_DIR: dir });
      assert.equal(flushed.code, 0, flushed.stderr);
      assert.match(flushed.stdout, /flushed: 1 sent, 0 refused, 0 still queued/);
      const again = await runCli(['send', '--flush'], { ENLETS_CONFIG_DIR: dir });
      assert.match(again.stdout, /flushed: 0 sent, 0 refused, 0 still queued/);
      const stored = (await history()).filter((e) => e.clientMessageId === body.clientMessageId);
      assert.equal(stored.length, 1);
    } finally {
      await proxy.down();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('send reports a refused message and exits 1', async () => {
    const res = await runCli(['send', '00000000-0000-4000-8000-000000000000', 'to nowhere'], {
      ENLETS_CONFIG_DIR: aliceDir,
    });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /NOT_FOUND/);
    const flushed = await runCli(['send', '--flush'], { ENLETS_CONFIG_DIR: aliceDir });
    assert.match(flushed.stdout, /flushed: 0 sent, 0 refused, 0 still queued/);
  });

  it('tail prints each new message once, live, and exits on Ctrl-C', async () => {
    const child = spawnCli(['tail', conversationId], { ENLETS_CONFIG_DIR: bobDir });
    const tail = collect(child);
    try {
      await until(() => tail.err().includes('tailing'), 'tail to go live');
      const sendHttp = async (text: string): Promise<SendEventAck> => {
        const res = await server.api.post<SendEventAck>(
          `/api/v1/conversations/${conversationId}/events`,
          { clientMessageId: newClientId(), kind: 'message', payload: payload(text) },
          { token: alice.token },
        );
        assert.equal(res.status, 200);
        return res.body;
      };
      const first = await sendHttp('first live line');
      const cli = await runCli(['send', conversationId, 'second, from the CLI'], {
        ENLETS_CONFIG_DIR: aliceDir,
      });
      assert.equal(cli.code, 0, cli.stderr);
      await until(() => tail.out().split('\n').length >= 3, 'two lines');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(
        tail.out(),
        `${String(first.seq)}  2026-01-01T09:00:00Z  ${alice.id}  first live line\n` +
          `${String(first.seq + 1)}  2026-01-01T09:00:00Z  ${alice.id}  second, from the CLI\n`,
      );
    } finally {
      child.kill('SIGINT');
    }
    const result = await tail.done;
    assert.equal(result.code, 0, result.stderr);
  });
});
