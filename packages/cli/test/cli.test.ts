import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, existsSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@enlets/server';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { totpCode } from '../../server/src/lib/totp.js';
import { runCli, spawnCli } from './run-cli.js';

const ADMIN_PASSWORD = 'a long and unusual passphrase';

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

for (const dialect of DIALECTS) {
  describe(`cli: administration commands [${dialect}]`, () => {
    let testDb: TestDatabase;
    let env: Record<string, string>;
    before(async () => {
      testDb = await createTestDatabase(dialect);
      env = { DATABASE_URL: testDb.url };
    });
    after(() => testDb.drop());

    it('admin create refuses to run without a password source', async () => {
      const res = await runCli(['admin', 'create', '--email', 'a@secretariat.example', '--name', 'A'], env);
      assert.equal(res.code, 64);
      assert.match(res.stderr, /ENLETS_ADMIN_PASSWORD/);
    });

    it('admin create makes an admin, and the audit chain verifies', async () => {
      const created = await runCli(
        ['admin', 'create', '--email', 'chief@secretariat.example', '--name', 'Chief'],
        {
          ...env,
          ENLETS_ADMIN_PASSWORD: ADMIN_PASSWORD,
        },
      );
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /created Secretariat admin chief@secretariat\.example/);
      assert.ok(!created.stdout.includes(ADMIN_PASSWORD) && !created.stderr.includes(ADMIN_PASSWORD));

      const again = await runCli(
        ['admin', 'create', '--email', 'chief@secretariat.example', '--name', 'Chief'],
        {
          ...env,
          ENLETS_ADMIN_PASSWORD: ADMIN_PASSWORD,
        },
      );
      assert.equal(again.code, 1);
      assert.match(again.stderr, /CONFLICT/);

      const verified = await runCli(['audit', 'verify'], env);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /^audit chain intact: 1 entries, head [0-9a-f]{64}\n$/);
    });

    it('demo seed creates the network once', async () => {
      const seeded = await runCli(['demo', 'seed'], {
        ...env,
        ENLETS_DEMO_PASSWORD: 'demo network password',
      });
      assert.equal(seeded.code, 0, seeded.stderr);
      assert.match(seeded.stdout, /e-mail: {3}admin@demo\.enlets\.eu/);
      assert.match(seeded.stdout, /password: demo network password/);

      const database = openDatabase(testDb.url);
      try {
        const count = async (role: string): Promise<number> =>
          (await database.db.selectFrom('user_roles').select('user_id').where('role', '=', role).execute())
            .length;
        assert.equal(await count('ncp'), 28);
        assert.equal(await count('core_group'), 11);
        assert.equal(await count('tig_lead'), 6);
        assert.ok((await count('lea_member')) >= 30);
        const pending = await database.db
          .selectFrom('applications')
          .select('id')
          .where('status', '=', 'pending')
          .execute();
        assert.ok(pending.length >= 3);
        const agencies = await database.db.selectFrom('agencies').select('name').execute();
        assert.ok(agencies.some((a) => a.name === 'Bundeskriminalamt'));

        const again = await runCli(['demo', 'seed'], env);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, /seeded already/);
        assert.ok(!again.stdout.includes('password'));
        assert.equal(await count('ncp'), 28);
      } finally {
        await database.close();
      }
    });

    it('mail queue lists failed mail without content and retries it', async () => {
      const database = openDatabase(testDb.url);
      const id = '11111111-2222-4333-8444-555555555555';
      try {
        await database.db
          .insertInto('mail_queue')
          .values({
            id,
            to_address: 'bounced@police.example',
            subject: 'Your invitation',
            body_text: 'secret activation link',
            kind: 'invitation',
            status: 'failed',
            attempts: 8,
            next_attempt_at: 0,
            claimed_until: 0,
            last_error: 'connection refused',
            created_at: Date.UTC(2026, 0, 1),
            sent_at: null,
          })
          .execute();
      } finally {
        await database.close();
      }
      const listed = await runCli(['mail', 'queue', '--status', 'failed'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /no SMTP server configured/);
      assert.match(listed.stdout, /^ID +STATUS +ATTEMPTS/m);
      assert.match(listed.stdout, new RegExp(`${id} +failed +8 +invitation +bounced@police\\.example`));
      assert.ok(!listed.stdout.includes('secret activation link'));

      const retried = await runCli(['mail', 'queue', '--retry', id], env);
      assert.equal(retried.code, 0, retried.stderr);
      assert.match(retried.stdout, /queued again/);
      const notFailed = await runCli(['mail', 'queue', '--retry', id], env);
      assert.equal(notFailed.code, 1);
      assert.match(notFailed.stderr, /NOT_FOUND/);
      const queued = await runCli(['mail', 'queue', '--status', 'queued'], env);
      assert.match(queued.stdout, new RegExp(`${id} +queued`));

      const sendNow = await runCli(['mail', 'send-now'], env);
      assert.equal(sendNow.code, 1);
      assert.match(sendNow.stderr, /ENLETS_SMTP_URL/);
    });

    it('audit verify exits 2 at the first tampered entry', async () => {
      const intact = await runCli(['audit', 'verify'], env);
      assert.match(intact.stdout, /audit chain intact: 3 entries/);
      const database = openDatabase(testDb.url);
      try {
        await database.db
          .updateTable('audit_log')
          .set({ action: 'demo.forged' })
          .where('seq', '=', 2)
          .execute();
      } finally {
        await database.close();
      }
      const broken = await runCli(['audit', 'verify'], env);
      assert.equal(broken.code, 2);
      assert.equal(broken.stdout, 'audit chain broken at entry #2 (hash_mismatch)\n');
    });
  });

  describe(`cli: serve --demo-if-empty [${dialect}]`, () => {
    let testDb: TestDatabase;
    before(async () => {
      testDb = await createTestDatabase(dialect);
    });
    after(() => testDb.drop());

    it('seeds an empty database, prints the credentials once and serves', async () => {
      const port = await freePort();
      const child = spawnCli(['serve', '--demo-if-empty'], {
        DATABASE_URL: testDb.url,
        ENLETS_PORT: String(port),
        ENLETS_HOST: '127.0.0.1',
        ENLETS_LOG_LEVEL: 'info',
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      try {
        const base = `http://127.0.0.1:${String(port)}`;
        const health = await waitFor(async () => {
          const res = await fetch(`${base}/health`);
          return res.ok ? ((await res.json()) as { status: string }) : undefined;
        }, 'the server to answer /health');
        assert.equal(health.status, 'ok');
        const setup = (await (await fetch(`${base}/api/v1/setup`)).json()) as { needsSetup: boolean };
        assert.equal(setup.needsSetup, false);

        const password = /password: (\S+)/.exec(stdout)?.[1];
        assert.ok(password, `credentials on stdout: ${stdout}`);
        assert.match(stdout, /admin@demo\.enlets\.eu/);
        assert.ok(!stdout.includes('/setup#token='), 'no setup link once the demo admin exists');
        // Printed once, and never through the logger.
        assert.equal(stdout.split(password).length - 1, 1);
        const logLines = stdout.split('\n').filter((l) => l.startsWith('{'));
        assert.ok(logLines.length > 0, 'the server logs at info');
        assert.ok(logLines.every((l) => !l.includes(password)));

        // The scripting client against the real server, as the demo admin.
        const configDir = mkdtempSync(join(tmpdir(), 'enlets-cli-'));
        try {
          const clientEnv = { ENLETS_CONFIG_DIR: configDir, ENLETS_PASSWORD: password };
          const login = await runCli(
            ['login', '--server', base, '--email', 'admin@demo.enlets.eu'],
            clientEnv,
          );
          assert.equal(login.code, 0, login.stderr);
          const whoami = await runCli(['whoami'], clientEnv);
          assert.equal(whoami.code, 0, whoami.stderr);
          assert.match(whoami.stdout, /^admin@demo\.enlets\.eu \(Secretariat Admin \(demo\)\)$/m);
          assert.match(whoami.stdout, /roles: +secretariat_admin/);
          const logout = await runCli(['logout'], clientEnv);
          assert.equal(logout.stdout, 'logged out\n', logout.stderr);
          assert.equal(logout.stderr, '');
        } finally {
          rmSync(configDir, { recursive: true, force: true });
        }
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, stderr);
    });
  });
}

describe('cli: login, whoami, logout against a real server', () => {
  let configDir: string;
  let server: TestServer;
  let actor: TestActor;
  let totpSecret: string;

  before(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'enlets-cli-'));
    server = await startTestServer('sqlite');
    // The login opens an end-to-end encryption device, whose KeyPackages carry real lifetimes.
    server.clock.advance(Date.now() - server.clock.now());
    actor = await createActor(server, {
      email: 'bot@police.example',
      displayName: 'Bot',
      roles: [{ role: 'lea_member' }, { role: 'ncp', scope: 'DE' }],
    });
    // The account has a second factor, enrolled through the API as a user would.
    const setup = await server.api.post<{ secret: string }>(
      '/api/v1/me/totp/setup',
      { currentPassword: actor.password },
      { token: actor.token },
    );
    assert.equal(setup.status, 200);
    totpSecret = setup.body.secret;
    const confirm = await server.api.post(
      '/api/v1/me/totp/confirm',
      { code: totpCode(totpSecret, server.clock.now()) },
      { token: actor.token },
    );
    assert.equal(confirm.status, 200);
    // The confirmation used this time step; the CLI login below needs a fresh one.
    server.clock.advance(30_000);
  });
  after(async () => {
    await server.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('asks for the second factor, then saves the bearer session with mode 0600', async () => {
    const env = { ENLETS_CONFIG_DIR: configDir, ENLETS_PASSWORD: actor.password };
    const wrong = await runCli(['login', '--server', server.url, '--email', actor.email], {
      ...env,
      ENLETS_PASSWORD: 'wrong password',
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /INVALID_CREDENTIALS/);

    const noTotp = await runCli(['login', '--server', server.url, '--email', actor.email], env);
    assert.equal(noTotp.code, 1);
    assert.match(noTotp.stderr, /--totp/);

    const code = totpCode(totpSecret, server.clock.now());
    const ok = await runCli(
      ['login', '--server', `${server.url}/`, '--email', actor.email, '--totp', code],
      env,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /logged in to http:\/\/127\.0\.0\.1:\d+ as bot@police\.example/);
    const file = join(configDir, 'session.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { token: string; server: string };
    assert.equal(saved.server, server.url);
    assert.ok(!ok.stdout.includes(saved.token));
    // The saved token is a live session on the server.
    const me = await server.api.get('/api/v1/me', { token: saved.token });
    assert.equal(me.status, 200);
    assert.equal(me.body['email'], 'bot@police.example');
  });

  it('whoami shows the account of the saved session', async () => {
    const res = await runCli(['whoami'], { ENLETS_CONFIG_DIR: configDir });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^bot@police\.example \(Bot\)$/m);
    assert.match(res.stdout, /roles: +lea_member, ncp:DE/);
  });

  it('logout ends the session on the server and forgets it', async () => {
    const file = join(configDir, 'session.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { token: string };
    const res = await runCli(['logout'], { ENLETS_CONFIG_DIR: configDir });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'logged out\n');
    assert.equal(existsSync(file), false);
    const me = await server.api.get('/api/v1/me', { token: saved.token });
    assert.equal(me.status, 401);

    const whoami = await runCli(['whoami'], { ENLETS_CONFIG_DIR: configDir });
    assert.equal(whoami.code, 1);
    assert.match(whoami.stderr, /not logged in/);
  });
});
