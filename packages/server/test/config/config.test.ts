import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from '../../src/config/config.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Asserts that loading throws a ConfigError whose message matches `pattern`. */
function assertConfigError(env: Record<string, string>, pattern: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('config/config', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'enlets-config-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has working defaults', () => {
    assert.deepEqual(loadConfig({}), DEFAULT_CONFIG);
    assert.equal(DEFAULT_CONFIG.requireSecondFactor, true);
    assert.equal(DEFAULT_CONFIG.secureCookies, true);
  });

  it('takes values from the environment', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://enlets@db.example/enlets',
      ENLETS_HOST: '0.0.0.0',
      PORT: '9000',
      ENLETS_LOG_LEVEL: 'debug',
      ENLETS_REQUIRE_SECOND_FACTOR: 'false',
      ENLETS_TRUST_PROXY: 'yes',
      ENLETS_SECURE_COOKIES: '0',
      ENLETS_SESSION_TTL_DAYS: '7',
      ENLETS_BODY_LIMIT_BYTES: '4096',
      ENLETS_SMTP_URL: 'smtp://mail.example:25',
    });
    assert.equal(config.databaseUrl, 'postgres://enlets@db.example/enlets');
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 9000);
    assert.equal(config.publicUrl, 'http://localhost:9000', 'the public URL follows the port by default');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.requireSecondFactor, false);
    assert.equal(config.trustProxy, true);
    assert.equal(config.secureCookies, false);
    assert.equal(config.sessionTtlDays, 7);
    assert.equal(config.bodyLimitBytes, 4096);
    assert.equal(config.smtpUrl, 'smtp://mail.example:25');
  });

  it('layers defaults, then the ENLETS_CONFIG file, then the environment, then overrides', () => {
    const file = join(dir, 'layered.json');
    writeFileSync(
      file,
      JSON.stringify({ port: 7000, logLevel: 'warn', publicUrl: 'https://enlets.example', host: '10.0.0.1' }),
    );
    const config = loadConfig(
      { ENLETS_CONFIG: file, ENLETS_LOG_LEVEL: 'error', ENLETS_HOST: '' },
      { port: 0 },
    );
    assert.equal(config.logLevel, 'error', 'environment over file');
    assert.equal(config.host, '10.0.0.1', 'an empty variable does not override');
    assert.equal(config.port, 0, 'overrides over everything');
    assert.equal(config.publicUrl, 'https://enlets.example');
  });

  const bad: ReadonlyArray<readonly [Record<string, string>, RegExp]> = [
    [{ PORT: 'abc' }, /PORT.*abc/],
    [{ PORT: '70000' }, /PORT/],
    [{ ENLETS_PORT: '-1' }, /ENLETS_PORT/],
    [{ DATABASE_URL: 'mysql://db.example/enlets' }, /DATABASE_URL/],
    [{ ENLETS_LOG_LEVEL: 'loud' }, /ENLETS_LOG_LEVEL/],
    [{ ENLETS_REQUIRE_SECOND_FACTOR: 'maybe' }, /ENLETS_REQUIRE_SECOND_FACTOR.*maybe/],
    [{ ENLETS_PUBLIC_URL: 'ftp://enlets.example/' }, /ENLETS_PUBLIC_URL/],
    [{ ENLETS_SMTP_URL: 'http://mail.example' }, /ENLETS_SMTP_URL/],
    [{ ENLETS_BODY_LIMIT_BYTES: '10' }, /ENLETS_BODY_LIMIT_BYTES/],
    [{ ENLETS_SESSION_TTL_DAYS: '1.5' }, /ENLETS_SESSION_TTL_DAYS/],
  ];
  for (const [env, pattern] of bad) {
    it(`refuses ${JSON.stringify(env)} naming the variable`, () => {
      assertConfigError(env, pattern);
    });
  }

  it('refuses an ENLETS_CONFIG file that is missing, not JSON, or has unknown keys', () => {
    assertConfigError({ ENLETS_CONFIG: join(dir, 'missing.json') }, /ENLETS_CONFIG.*missing\.json/);
    assertConfigError({ ENLETS_CONFIG: dir }, /ENLETS_CONFIG/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'port = 8080\n');
    assertConfigError({ ENLETS_CONFIG: notJson }, /ENLETS_CONFIG.*not\.json/);
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ prot: 8080 }));
    assertConfigError({ ENLETS_CONFIG: unknown }, /prot|additional/i);
    const wrongType = join(dir, 'wrong-type.json');
    writeFileSync(wrongType, JSON.stringify({ port: '8080' }));
    assertConfigError({ ENLETS_CONFIG: wrongType }, /\/port .*ENLETS_CONFIG/);
  });

  it('makes `enlets serve` exit with 78 (EX_CONFIG) and say why on stderr', async () => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith('ENLETS_') && key !== 'DATABASE_URL') env[key] = value;
    }
    env['PORT'] = 'abc';
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', 'serve'],
        { cwd: ROOT, env, timeout: 60_000 },
        (_error, _stdout, stderrText) => {
          resolve({ code: child.exitCode, stderr: stderrText });
        },
      );
    });
    assert.equal(code, 78, stderr);
    assert.match(stderr, /PORT must be a whole number, got "abc"/);
  });
});
