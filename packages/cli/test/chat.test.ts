import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRangeResponse } from '@enlets/protocol';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation } from '../../server/test/helpers/conversations.js';
import { collect, runCli, spawnCli } from './run-cli.js';

const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';

interface SendProxy {
  readonly url: string;
  /** While set, message posts are cut off before they reach the server (everything else passes). */
  blockSends: boolean;
  down(): Promise<void>;
  up(): Promise<void>;
}

/**
 * An HTTP forwarder on a fixed port in front of the server: `down()` closes it (connections are refused, as
 * with a stopped server), `up()` listens on the same port again, and `blockSends` drops the connection of every
 * `POST …/events` (the message never arrives, as when the network fails mid-send).
 */
async function startProxy(target: string): Promise<SendProxy> {
  const sockets = new Set<Socket>();
  let listener: HttpServer | undefined;
  let port = 0;
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    if (proxy.blockSends && req.method === 'POST' && /\/conversations\/[^/]+\/events$/.test(req.url ?? '')) {
      req.socket.destroy();
      return;
    }
    const upstream = httpRequest(
      new URL(req.url ?? '/', target),
      { method: req.method ?? 'GET', headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  };
  const up = async (): Promise<void> => {
    const server = createHttpServer(forward);
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    listener = server;
  };
  const proxy = {
    url: '',
    blockSends: false,
    up,
    async down() {
      const server = listener;
      listener = undefined;
      for (const s of sockets) s.destroy();
      if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  await up();
  proxy.url = `http://127.0.0.1:${String(port)}`;
  return proxy;
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
  let carol: TestActor;
  let conversationId: string;
  const dirs: string[] = [];
  let aliceDir: string;
  let bobDir: string;

  const profile = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'enlets-chat-'));
    dirs.push(dir);
    return dir;
  };
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
    // KeyPackages carry real lifetimes from the device's clock; the server checks them against its own.
    server.clock.advance(Date.now() - server.clock.now());
    alice = await createActor(server, { displayName: 'Alice' });
    bob = await createActor(server, { displayName: 'Bob' });
    carol = await createActor(server, { displayName: 'Carol' });
    conversationId = await createConversation(server, {
      members: [{ id: alice.id }, { id: bob.id }, { id: carol.id }],
    });
    aliceDir = profile();
    bobDir = profile();
    await login(aliceDir, alice);
    await login(bobDir, bob);
  });
  after(async () => {
    await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
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
    const seq = new RegExp(`^sent: seq (\\d+) at ${TIME}\n$`).exec(sent.stdout)?.[1];
    assert.ok(seq, sent.stdout);
    const read = await runCli(['read', conversationId, '--limit', '5'], { ENLETS_CONFIG_DIR: bobDir });
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stdout, new RegExp(`^${seq}  ${TIME}  ${alice.id}  Hello from the CLI\n$`));
  });

  it('keeps the encrypted message in the outbox file when the send fails, and send --flush delivers it once', async () => {
    const proxy = await startProxy(server.url);
    const dir = profile();
    try {
      await login(dir, carol, proxy.url);

      // Before the message is encrypted and queued, a server that cannot be reached means nothing was sent.
      await proxy.down();
      const unreachable = await runCli(['send', conversationId, 'written while offline'], {
        ENLETS_CONFIG_DIR: dir,
      });
      assert.equal(unreachable.code, 69, unreachable.stderr);
      assert.match(unreachable.stderr, /cannot reach .*: nothing was sent/);
      await proxy.up();

      proxy.blockSends = true;
      const queued = await runCli(['send', conversationId, 'written while offline', '--timeout', '1'], {
        ENLETS_CONFIG_DIR: dir,
      });
      assert.equal(queued.code, 75, queued.stderr);
      assert.match(queued.stderr, /kept \(encrypted\) in the outbox: run `enlets send --flush`/);
      const [storeDir] = readdirSync(join(dir, 'store'));
      assert.ok(storeDir !== undefined);
      const outboxFile = join(dir, 'store', storeDir, 'outbox.json');
      assert.equal(statSync(outboxFile).mode & 0o777, 0o600);
      const outbox = (JSON.parse(readFileSync(outboxFile, 'utf8')) as { outbox: Array<{ body: string }> })
        .outbox;
      assert.equal(outbox.length, 1);
      const body = JSON.parse(outbox[0]?.body ?? '{}') as { clientMessageId: string; payload: string };
      assert.ok(
        !Buffer.from(body.payload, 'base64').toString('latin1').includes('offline'),
        'ciphertext only',
      );

      const stillDown = await runCli(['send', '--flush', '--timeout', '1'], { ENLETS_CONFIG_DIR: dir });
      assert.equal(stillDown.code, 75, stillDown.stderr);
      assert.match(stillDown.stdout, /flushed: 0 sent, 0 refused, 1 still queued/);

      proxy.blockSends = false;
      const flushed = await runCli(['send', '--flush'], { ENLETS_CONFIG_DIR: dir });
      assert.equal(flushed.code, 0, flushed.stderr);
      assert.match(flushed.stdout, /flushed: 1 sent, 0 refused, 0 still queued/);
      const again = await runCli(['send', '--flush'], { ENLETS_CONFIG_DIR: dir });
      assert.match(again.stdout, /flushed: 0 sent, 0 refused, 0 still queued/, again.stderr);
      const stored = (await history()).filter((e) => e.clientMessageId === body.clientMessageId);
      assert.equal(stored.length, 1);

      const read = await runCli(['read', conversationId, '--limit', '1'], { ENLETS_CONFIG_DIR: bobDir });
      assert.equal(read.code, 0, read.stderr);
      assert.match(read.stdout, new RegExp(`^\\d+  ${TIME}  ${carol.id}  written while offline\n$`));
    } finally {
      await proxy.down();
    }
  });

  it('send reports a refused message and exits 1', async () => {
    const res = await runCli(['send', '00000000-0000-4000-8000-000000000000', 'to nowhere'], {
      ENLETS_CONFIG_DIR: aliceDir,
    });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /NOT_FOUND/);
    const flushed = await runCli(['send', '--flush'], { ENLETS_CONFIG_DIR: aliceDir });
    assert.match(flushed.stdout, /flushed: 0 sent, 0 refused, 0 still queued/, flushed.stderr);
  });

  it('tail prints each new message once, live, and exits on Ctrl-C', async () => {
    const child = spawnCli(['tail', conversationId], { ENLETS_CONFIG_DIR: bobDir });
    const tail = collect(child);
    try {
      await until(() => tail.err().includes('tailing'), 'tail to go live');
      for (const text of ['first live line', 'second, from the CLI']) {
        const cli = await runCli(['send', conversationId, text], { ENLETS_CONFIG_DIR: aliceDir });
        assert.equal(cli.code, 0, cli.stderr);
      }
      await until(() => tail.out().split('\n').length >= 3, 'two lines');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.match(
        tail.out(),
        new RegExp(
          `^(\\d+)  ${TIME}  ${alice.id}  first live line\n(\\d+)  ${TIME}  ${alice.id}  second, from the CLI\n$`,
        ),
      );
    } finally {
      child.kill('SIGINT');
    }
    const result = await tail.done;
    assert.equal(result.code, 0, result.stderr);
  });
});
