import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config/config.js';
import { loggerOptions } from '../../src/lib/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';

/**
 * The server process as `enlets serve` runs it (startServer on a SQLite file): secrets stay out of its logs,
 * and stop() drains — no new work, in-flight requests finish, the database closes cleanly and a restart finds
 * the data.
 */

const PASSWORD = 'Kestrel-Lantern-Orbit-42';
const EMAIL = 'first.admin@secretariat.example';

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** One request over node:http, so tests control sockets (keep-alive agents, a body sent in two parts). */
function request(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; agent?: http.Agent } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      {
        method,
        agent: options.agent ?? false,
        timeout: 10_000,
        headers: {
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
const codeOf = (answer: Answer): unknown => (answer.body['error'] as { code?: unknown } | undefined)?.code;

describe('server (startServer): logs and graceful shutdown', () => {
  let dir: string;
  let config: Config;
  let running: RunningServer;
  const logLines: string[] = [];
  const secrets: string[] = [PASSWORD];
  let setupToken = '';

  const start = (): Promise<RunningServer> =>
    startServer(config, {
      // The production logger options (redaction, serializers), at the most verbose level, into memory.
      log: pino(loggerOptions('trace'), { write: (line: string) => logLines.push(line) }),
      onSetupLink: (link) => {
        setupToken = new URL(link).hash.replace('#token=', '');
      },
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enlets-shutdown-'));
    config = loadConfig(
      {},
      {
        databaseUrl: `sqlite:${join(dir, 'enlets.db')}`,
        host: '127.0.0.1',
        port: 0,
        publicUrl: 'http://localhost:8080',
        logLevel: 'trace',
        argon2: { memoryKiB: 19_456, iterations: 2, parallelism: 1 },
        requireSecondFactor: false,
        secureCookies: false,
      },
    );
    running = await start();
  });
  after(async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the first admin and signs in with a bearer token and with a cookie', async () => {
    assert.ok(setupToken.length >= 20, 'the first start printed a setup link');
    secrets.push(setupToken);
    const setup = await request(running.url, 'POST', '/api/v1/setup', {
      body: { token: setupToken, email: EMAIL, displayName: 'First Admin', password: PASSWORD },
    });
    assert.equal(setup.status, 201, JSON.stringify(setup.body));

    const bearer = await request(running.url, 'POST', '/api/v1/auth/login', {
      body: { email: EMAIL, password: PASSWORD },
    });
    assert.equal(bearer.status, 200, JSON.stringify(bearer.body));
    const token = bearer.body['token'] as string;
    secrets.push(token);
    const viaBearer = await request(running.url, 'GET', '/api/v1/me', {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(viaBearer.status, 200);

    const cookieLogin = await request(running.url, 'POST', '/api/v1/auth/login', {
      body: { email: EMAIL, password: PASSWORD, session: 'cookie' },
    });
    assert.equal(cookieLogin.status, 200, JSON.stringify(cookieLogin.body));
    const cookie = /enlets_session=([^;]+)/.exec(String(cookieLogin.headers['set-cookie']))?.[1];
    assert.ok(cookie !== undefined && cookie.length >= 20);
    secrets.push(cookie);
    const viaCookie = await request(running.url, 'GET', '/api/v1/me', {
      headers: { cookie: `enlets_session=${cookie}` },
    });
    assert.equal(viaCookie.status, 200);

    // A link token in the path (the activation link) is as secret as a session token.
    const linkToken = randomBytes(32).toString('base64url');
    secrets.push(linkToken);
    const activation = await request(running.url, 'GET', `/api/v1/activation/${linkToken}`);
    assert.equal(activation.status >= 400 && activation.status < 500, true);

    // Failures log too: a wrong password, a malformed body that contains the password, an error on a write.
    const wrong = await request(running.url, 'POST', '/api/v1/auth/login', {
      body: { email: EMAIL, password: `${PASSWORD}-wrong` },
    });
    assert.equal(codeOf(wrong), 'INVALID_CREDENTIALS');
    const malformed = await request(running.url, 'POST', '/api/v1/auth/login', {
      body: { email: EMAIL, password: PASSWORD, unexpected: PASSWORD },
    });
    assert.equal(codeOf(malformed), 'VALIDATION_FAILED');
    const again = await request(running.url, 'POST', '/api/v1/setup', {
      body: { token: setupToken, email: EMAIL, displayName: 'Again', password: PASSWORD },
    });
    assert.equal(again.status >= 400 && again.status < 500, true);
  });

  it('keeps passwords, tokens and cookies out of the logs', () => {
    const log = logLines.join('');
    assert.ok(logLines.length > 0, 'the server logged');
    assert.match(log, /\/api\/v1\/auth\/login/, 'requests are logged');
    for (const secret of secrets) {
      assert.equal(log.includes(secret), false, `a secret (${secret.slice(0, 4)}…) appears in the logs`);
    }
  });

  it('drains on stop: no new requests, in-flight ones finish, the database closes cleanly', async () => {
    const url = running.url;
    // A kept-alive connection that is idle when the stop begins.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    assert.equal((await request(url, 'GET', '/health', { agent: keepAlive })).status, 200);

    // An in-flight request: headers and part of the body arrive before the stop, the rest after it.
    const body = JSON.stringify({ email: EMAIL, password: PASSWORD });
    const arrived = once(running.built.app.server, 'request');
    let finishBody = (): void => undefined;
    const inFlight = new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        `${url}/api/v1/auth/login`,
        {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            });
          });
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      finishBody = () => req.end(body.slice(10));
    });
    await arrived;

    // While draining, a request that still gets through finds /ready at 503 and other routes refusing with
    // SERVICE_UNAVAILABLE; once the listener is closed, the connection is refused instead.
    const stopping = running.stop();
    const ready = await request(url, 'GET', '/ready').catch(asError);
    if (!(ready instanceof Error)) {
      assert.equal(ready.status, 503);
      assert.equal(ready.body['status'], 'not_ready');
    }
    const refused = await request(url, 'GET', '/api/v1/countries').catch(asError);
    if (!(refused instanceof Error)) {
      assert.equal(refused.status, 503);
      assert.equal(codeOf(refused), 'SERVICE_UNAVAILABLE');
      assert.equal(refused.headers['connection'], 'close');
    }

    finishBody();
    const finished = await inFlight;
    assert.equal(finished.status, 200, JSON.stringify(finished.body));
    assert.equal(typeof finished.body['token'], 'string', 'the in-flight login completed');
    await stopping;
    keepAlive.destroy();

    await assert.rejects(request(url, 'GET', '/health'), 'no longer accepting connections');
    assert.equal(existsSync(join(dir, 'enlets.db-wal')), false, 'the WAL was checkpointed on close');
  });

  it('restarts on the same database with the data there', async () => {
    setupToken = '';
    running = await start();
    assert.equal(running.setupLink, undefined, 'no second setup link');
    const setup = await request(running.url, 'GET', '/api/v1/setup');
    assert.deepEqual(setup.body, { needsSetup: false });
    const login = await request(running.url, 'POST', '/api/v1/auth/login', {
      body: { email: EMAIL, password: PASSWORD },
    });
    assert.equal(login.status, 200, JSON.stringify(login.body));
  });

  it('once draining, answers /ready with 503 and API routes with SERVICE_UNAVAILABLE', async () => {
    running.built.beginShutdown();
    const ready = await request(running.url, 'GET', '/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.body['status'], 'not_ready');
    for (const [method, path] of [
      ['GET', '/api/v1/countries'],
      ['POST', '/api/v1/auth/login'],
    ] as const) {
      const res = await request(running.url, method, path, method === 'POST' ? { body: {} } : {});
      assert.equal(res.status, 503, `${method} ${path}`);
      assert.equal(codeOf(res), 'SERVICE_UNAVAILABLE');
      assert.equal(typeof (res.body['error'] as { requestId?: unknown }).requestId, 'string');
      assert.equal(res.headers['connection'], 'close');
    }
    assert.equal((await request(running.url, 'GET', '/health')).status, 200, 'liveness still answers');
  });
});
