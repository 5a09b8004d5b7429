import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SendEventAck } from '@enlets/protocol';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation, newClientId, payload } from '../../server/test/helpers/conversations.js';
import { privateMessageBytes } from '../../server/test/helpers/mls.js';
import { collect, runCli, spawnCli, type CliResult } from './run-cli.js';

/** Every way a text could sit in stored bytes: raw, hex, UTF-16, and base64/base64url at each alignment. */
function encodingsOf(text: string): string[] {
  const raw = Buffer.from(text, 'utf8');
  const forms = [text, raw.toString('hex'), Buffer.from(text, 'utf16le').toString('latin1')];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), raw]).toString('base64');
    // Without the characters that depend on the neighbouring bytes (the first ones and the last ones).
    const stable = encoded.slice(Math.ceil((shift * 4) / 3) + 1, -4);
    forms.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Everything the server's database holds, as latin1 text: the SQLite file and its WAL, or a pg_dump. */
function databaseBytes(server: TestServer): string {
  const url = server.config.databaseUrl;
  if (server.dialect === 'postgres')
    return execFileSync('pg_dump', ['--dbname', url], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1');
  const file = url.replace(/^sqlite:/, '');
  return ['', '-wal']
    .map((suffix) => `${file}${suffix}`)
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('\n');
}

async function until(probe: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The lines `read` prints, without their time: [seq, sender, text]. */
function lines(stdout: string): Array<[string, string, string]> {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^(\d+) {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}(\S+) {2}(.*)$/.exec(line);
      assert.ok(match, `a read line: ${line}`);
      return [match[1] ?? '', match[2] ?? '', match[3] ?? ''];
    });
}

/** How `read`/`tail` show a forged message (the reason text comes from the MLS library). */
const REFUSED = '[refused: …]';
const refusedAsOne = (text: string | undefined): string | undefined =>
  text?.startsWith('[refused: The message could not be processed') === true ? REFUSED : text;

const OPENING = 'Operation Nordlicht: the warrant is signed, search at 06:00 Thursday';
const REPLY = 'Copy that, team Bravo stands by at the Kessler warehouse';
const AFTERWARDS = 'Suspect moved to the harbour, follow-up at 14:00';

for (const dialect of DIALECTS) {
  describe(`cli: end-to-end encrypted messaging through the enlets binary [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let conversationId: string;
    const dirs: string[] = [];
    let aliceDir: string;
    let bobDir: string;
    let recoveryCode: string;

    const profile = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'enlets-e2ee-'));
      dirs.push(dir);
      return dir;
    };
    const cli = (
      dir: string,
      args: readonly string[],
      env: Record<string, string> = {},
    ): Promise<CliResult> => runCli(args, { ENLETS_CONFIG_DIR: dir, ...env });
    const login = (dir: string, actor: TestActor, extra: readonly string[] = []): Promise<CliResult> =>
      cli(dir, ['login', '--server', server.url, '--email', actor.email, ...extra], {
        ENLETS_PASSWORD: actor.password,
      });
    const read = async (dir: string): Promise<Array<[string, string, string]>> => {
      const res = await cli(dir, ['read', conversationId]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '', 'no warnings');
      return lines(res.stdout);
    };
    const send = async (dir: string, text: string): Promise<void> => {
      const res = await cli(dir, ['send', conversationId, text]);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /^sent: seq \d+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    };

    before(async () => {
      server = await startTestServer(dialect);
      // KeyPackages carry real lifetimes from the device's clock; the server checks them against its own.
      server.clock.advance(Date.now() - server.clock.now());
      alice = await createActor(server, { displayName: 'Alice' });
      bob = await createActor(server, { displayName: 'Bob' });
      conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      aliceDir = profile();
      bobDir = profile();
    });
    after(async () => {
      await server.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it("login creates each user's identity on their first device and says to set up recovery", async () => {
      for (const [dir, actor] of [
        [aliceDir, alice],
        [bobDir, bob],
      ] as const) {
        const res = await login(dir, actor);
        assert.equal(res.code, 0, res.stderr);
        assert.match(res.stdout, /^end-to-end encryption: device [0-9a-f-]{36}$/m);
        assert.match(res.stdout, /first device: run `enlets recovery setup`/);
      }
      const registered = await server.api.get<{ identityKey: string | null }>(
        `/api/v1/e2ee/users/${bob.id}/devices`,
        { token: alice.token },
      );
      assert.equal(typeof registered.body.identityKey, 'string');
    });

    it('recovery setup prints a generated code once and stores the backup', async () => {
      const res = await cli(bobDir, ['recovery', 'setup']);
      assert.equal(res.code, 0, res.stderr);
      const code = /^ {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4})+)$/m.exec(res.stdout)?.[1];
      assert.ok(code, res.stdout);
      recoveryCode = code;
      assert.equal(res.stdout.split(code).length - 1, 1, 'printed once');
      assert.match(res.stdout, /Nobody, including the ENLETS operators, can reset it/);
      assert.match(res.stdout, /recovery backup stored \(version 1\)\n$/);

      const weak = join(profile(), 'weak');
      writeFileSync(weak, 'hunter2\n', { mode: 0o600 });
      const refused = await cli(bobDir, ['recovery', 'setup', '--passphrase-file', weak]);
      assert.equal(refused.code, 64);
      assert.match(refused.stderr, /too short/);
    });

    it('two users on two profiles exchange messages that the CLI encrypts and decrypts', async () => {
      await send(aliceDir, OPENING);
      assert.deepEqual(
        (await read(bobDir)).map(([, sender, text]) => [sender, text]),
        [[alice.id, OPENING]],
        'bob reads alice; the handshakes that set up the group are not shown',
      );
      await send(bobDir, REPLY);
      const seen = await read(aliceDir);
      assert.deepEqual(
        seen.map(([, sender, text]) => [sender, text]),
        [
          [alice.id, OPENING],
          [bob.id, REPLY],
        ],
      );
      // The server holds MLS ciphertext, not the content people wrote.
      const stored = await server.api.get<{ events: Array<{ seq: number; kind: string; payload: string }> }>(
        `/api/v1/conversations/${conversationId}/events?afterSeq=0&limit=50`,
        { token: alice.token },
      );
      const messages = stored.body.events.filter((e) => e.kind === 'message');
      assert.deepEqual(
        messages.map((e) => String(e.seq)),
        seen.map(([seq]) => seq),
      );
      assert.ok(stored.body.events.some((e) => e.kind === 'mls.commit'));
      for (const e of messages)
        assert.ok(!Buffer.from(e.payload, 'base64').toString('latin1').includes('"text"'));
    });

    it("the server's database holds no plaintext of what was sent", () => {
      const bytes = databaseBytes(server);
      // Positive control: the search finds what the server does store in clear.
      assert.ok(
        encodingsOf(alice.email).some((form) => bytes.includes(form)),
        'the search sees the data',
      );
      for (const text of [OPENING, REPLY])
        for (const fragment of [text, ...text.split(/[:,] /)].filter((f) => f.length >= 12))
          assert.equal(
            encodingsOf(fragment).find((form) => form.length >= 8 && bytes.includes(form)),
            undefined,
            `"${fragment}" is in the database`,
          );
    });

    it('a new device of bob needs the recovery passphrase, says so without it, and then reads the history', async () => {
      const newDir = profile();
      const refused = await login(newDir, bob);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /^enlets: this account's end-to-end encryption keys are on another device: to use them here, log in with your recovery passphrase or code: `enlets login --server URL --email E --recovery-passphrase-file FILE`/,
      );
      const whoami = await cli(newDir, ['whoami']);
      assert.equal(whoami.code, 1, 'the refused login left no session behind');
      assert.match(whoami.stderr, /not logged in/);

      const wrongFile = join(newDir, 'wrong-code');
      writeFileSync(wrongFile, `${recoveryCode.replace(/^...../, 'ZZZZ-')}\n`, { mode: 0o600 });
      const wrong = await login(newDir, bob, ['--recovery-passphrase-file', wrongFile]);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /recovery passphrase is wrong/);

      // The code as people type it from paper: lower case, spaces for dashes.
      const codeFile = join(newDir, 'recovery-code');
      writeFileSync(codeFile, `${recoveryCode.toLowerCase().replace(/-/g, ' ')}\n`, { mode: 0o600 });
      const restored = await login(newDir, bob, ['--recovery-passphrase-file', codeFile]);
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(restored.stdout, /your keys were restored from your recovery backup/);
      const keys = JSON.parse(readFileSync(join(newDir, 'session.json'), 'utf8')) as { sessionId: string };
      assert.match(restored.stdout, new RegExp(`device ${keys.sessionId}`));

      // What bob's first device read and wrote comes back from his archive.
      assert.deepEqual(
        (await read(newDir)).map(([, sender, text]) => [sender, text]),
        [
          [alice.id, OPENING],
          [bob.id, REPLY],
        ],
      );
      // The new device joined the group at login, so it reads what comes next directly, as does the old one.
      await send(aliceDir, AFTERWARDS);
      for (const dir of [newDir, bobDir])
        assert.deepEqual(
          (await read(dir)).map(([, , text]) => text),
          [OPENING, REPLY, AFTERWARDS],
        );
    });

    it('tail prints new messages decrypted, and a message that is not encrypted as refused with a warning', async () => {
      const child = spawnCli(['tail', conversationId], { ENLETS_CONFIG_DIR: bobDir });
      const tail = collect(child);
      try {
        await until(() => tail.err().includes('tailing'), 'tail to go live');
        await send(aliceDir, 'first live line');
        // A client that skips encryption is refused by the server; one that sends a well-formed MLS message of
        // the group with forged ciphertext gets through, and every reader refuses it, visibly.
        const plain = await server.api.post(
          `/api/v1/conversations/${conversationId}/events`,
          {
            clientMessageId: newClientId(),
            kind: 'message',
            payload: payload('plain text from a bad client'),
          },
          { token: alice.token },
        );
        assert.equal(plain.status, 422);
        const group = await server.api.get<{ epoch: number }>(
          `/api/v1/conversations/${conversationId}/mls/group-info`,
          { token: alice.token },
        );
        const forged = await server.api.post<SendEventAck>(
          `/api/v1/conversations/${conversationId}/events`,
          {
            clientMessageId: newClientId(),
            kind: 'message',
            payload: Buffer.from(privateMessageBytes(conversationId, group.body.epoch)).toString('base64'),
          },
          { token: alice.token },
        );
        assert.equal(forged.status, 200);
        await send(aliceDir, 'second live line');
        await until(() => tail.out().split('\n').length >= 4, 'three lines');
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(
          lines(tail.out()).map(([seq, sender, text]) => [Number(seq) > 0, sender, refusedAsOne(text)]),
          [
            [true, alice.id, 'first live line'],
            [true, alice.id, REFUSED],
            [true, alice.id, 'second live line'],
          ],
        );
        assert.match(
          tail.err(),
          new RegExp(
            `security warning in ${conversationId} #${String(forged.body.seq)}: The message could not`,
          ),
        );
      } finally {
        child.kill('SIGINT');
      }
      const result = await tail.done;
      assert.equal(result.code, 0, result.stderr);
    });

    it('logout deletes the device keys; the next login on the profile keeps the identity and what was read', async () => {
      const [account] = readdirSync(join(aliceDir, 'store'));
      assert.ok(account !== undefined);
      const dir = join(aliceDir, 'store', account, 'e2ee');
      const secrets = (): string[] =>
        Object.keys(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as object).sort();
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')))
        assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
      assert.deepEqual(secrets(), ['archive', 'device', 'identity', 'owner']);

      const out = await cli(aliceDir, ['logout']);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(secrets(), ['archive', 'identity']);
      assert.equal(existsSync(join(dir, 'groups.json')), false);

      const again = await login(aliceDir, alice);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stdout, /first device|restored/);
      // The logged-out device's leaf may linger in the group until a member removes it; the signed device list
      // names it as retired, so the new device joins without a warning.
      assert.doesNotMatch(again.stderr, /cannot join|not in the user.s signed device list/);
      const reread = await cli(aliceDir, ['read', conversationId]);
      assert.equal(reread.code, 0, reread.stderr);
      assert.deepEqual(
        lines(reread.stdout).map(([, , text]) => refusedAsOne(text)),
        [OPENING, REPLY, AFTERWARDS, 'first live line', REFUSED, 'second live line'],
      );
    });
  });
}
