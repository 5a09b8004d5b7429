import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import {
  decodeContent,
  downloadAndDecryptAttachment,
  encodeContent,
  encryptAndUploadAttachment,
  MemoryE2eeStore,
  MemoryStore,
  MessengerSession,
  SecureMessenger,
  type FetchLike,
  type MessageContent,
  type SecureEvent,
  type WebSocketConstructor,
} from '@enlets/client';
import type { CreateConversationResponse, SessionListResponse } from '@enlets/protocol';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../server/test/helpers/dialects.js';
import {
  freePort,
  seedMessagingFixture,
  ServerProcess,
  type MessagingFixture,
} from '../../server/test/helpers/spawn-server.js';
import { generatedFile } from './attachment-files.js';
import { FAST_BACKOFF, waitFor } from './helpers.js';

const realFetch = globalThis.fetch.bind(globalThis) as unknown as FetchLike;
const REDIS_URL = 'redis://127.0.0.1:6379';

/** Everything Redis executes, as its MONITOR command reports it (raw protocol text). */
async function monitorRedis(onData: (text: string) => void): Promise<Socket> {
  const socket = connect(6379, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setEncoding('latin1').on('data', onData);
  socket.write('MONITOR\r\n');
  return socket;
}

/**
 * Every way a string could sit in stored or transmitted bytes: raw UTF-8, UTF-16 (both byte orders), hex (both
 * cases), and base64/base64url at each of the three alignments it can have inside a longer encoded value.
 */
export function encodingsOf(canary: string): string[] {
  const raw = Buffer.from(canary, 'utf8');
  const forms = [
    canary,
    raw.toString('hex'),
    raw.toString('hex').toUpperCase(),
    Buffer.from(canary, 'utf16le').toString('latin1'),
    Buffer.from(canary, 'utf16le').swap16().toString('latin1'),
  ];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), raw]).toString('base64');
    // Drop the characters that depend on the neighbouring bytes: the first ones (shifted in) and the last ones.
    const stable = encoded.slice(Math.ceil((shift * 4) / 3) + 1, -4);
    forms.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** The names of the canaries found in `corpus` (bytes read as latin1, so every byte is one character). */
function findCanaries(corpus: string, canaries: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [name, canary] of canaries) {
    if (encodingsOf(canary).some((form) => form.length >= 8 && corpus.includes(form))) found.push(name);
  }
  return found;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the canary search itself finds what is there', () => {
  it('in every encoding', () => {
    const canary = `CANARY-${randomBytes(8).toString('hex')}`;
    const canaries = new Map([['probe', canary]]);
    const inside = (bytes: Buffer) =>
      Buffer.concat([randomBytes(7), bytes, randomBytes(5)]).toString('latin1');
    const raw = Buffer.from(`{"text":"${canary}"}`);
    for (const corpus of [
      inside(raw),
      inside(Buffer.from(raw.toString('hex'))),
      inside(Buffer.from(Buffer.from(canary, 'utf16le'))),
      inside(Buffer.from(Buffer.from(canary, 'utf16le').swap16())),
      ...[0, 1, 2].map((pad) =>
        inside(Buffer.from(Buffer.concat([Buffer.alloc(pad, 65), raw]).toString('base64'))),
      ),
      inside(Buffer.from(Buffer.concat([Buffer.alloc(1, 65), raw]).toString('base64url'))),
    ]) {
      assert.deepEqual(findCanaries(corpus, canaries), ['probe']);
    }
    assert.deepEqual(findCanaries(inside(Buffer.from('nothing to see')), canaries), []);
  });
});

for (const dialect of DIALECTS) {
  describe(`server blindness: what the server keeps and says holds no plaintext [${dialect}]`, () => {
    let testDb: TestDatabase;
    let fixture: MessagingFixture;
    let server: ServerProcess;
    let monitor: Socket;
    let logs = '';
    let redisTraffic = '';
    const dataDir = join('/tmp', `enlets-blind-${randomUUID()}`);
    const stops: Array<() => Promise<void>> = [];

    before(async () => {
      testDb = await createTestDatabase(dialect);
      fixture = await seedMessagingFixture(testDb.url, 3);
      monitor = await monitorRedis((text) => {
        redisTraffic += text;
      });
      server = new ServerProcess({
        databaseUrl: testDb.url,
        port: await freePort(),
        busUrl: REDIS_URL,
        busChannel: `enlets-blind-${randomUUID()}`,
        dataDir,
        logLevel: 'debug',
        onOutput: (chunk) => {
          logs += chunk;
        },
      });
      await server.start();
    });
    after(async () => {
      for (const stop of stops) await stop();
      await server.stop();
      monitor.destroy();
      await testDb.drop();
    });

    const openDevice = async (token: string, userId: string) => {
      const session = new MessengerSession({
        baseUrl: server.url,
        token,
        store: new MemoryStore(),
        fetch: realFetch,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        backoff: FAST_BACKOFF,
      });
      const sessions = await session.http.get<SessionListResponse>('/me/sessions');
      const deviceId = sessions.sessions.find((s) => s.current)?.id;
      assert.ok(deviceId);
      const messenger = await SecureMessenger.open({
        session,
        store: new MemoryE2eeStore(),
        userId,
        deviceId,
        keyPackagePool: 4,
      });
      const shown: SecureEvent[] = [];
      messenger.on('event', (e) => shown.push(e));
      session.start();
      stops.push(async () => {
        messenger.close();
        await session.stop();
      });
      return { messenger, session, shown };
    };

    it('canaries in texts, polls, reactions, edits, locations, file names and file contents reach the other member and nowhere else', async () => {
      const [alice, bob] = fixture.members;
      assert.ok(alice && bob);
      const { conversationId } = fixture;
      const canary = () => `CANARY-${randomBytes(9).toString('hex')}`;
      const canaries = new Map<string, string>([
        ['text', canary()],
        ['poll question', canary()],
        ['poll option', canary()],
        ['reaction', canary()],
        ['edit', canary()],
        ['location label', canary()],
        ['file name', canary()],
        ['file content', canary()],
      ]);
      const c = (name: string): string => canaries.get(name) ?? '';

      const a = await openDevice(alice.token, alice.id);
      const b = await openDevice(bob.token, bob.id);
      const first = await a.messenger.send(
        conversationId,
        encodeContent({ type: 'text', text: `meet at ${c('text')}` }),
      );
      const firstAck = await first.acknowledged;
      const sends: Array<[MessageContent, Parameters<SecureMessenger['send']>[2]]> = [
        [{ type: 'poll', question: c('poll question'), options: ['yes', c('poll option')] }, {}],
        [
          { type: 'edit', text: `meet at ${c('edit')}` },
          { kind: 'edit', refSeq: firstAck.seq },
        ],
        [{ type: 'location', latitude: 50.1, longitude: 8.6, label: c('location label') }, {}],
      ];
      // A file: its name travels in the encrypted message, its content (the canary at every MiB) in the blob.
      const file = generatedFile(3 * 1024 * 1024, c('file content'));
      const attachment = await encryptAndUploadAttachment(a.session.http, {
        conversationId,
        name: `${c('file name')}.pdf`,
        mimeType: 'application/pdf',
        size: 3 * 1024 * 1024,
        data: file.stream,
      });
      sends.push([{ type: 'files', files: [attachment] }, { attachments: [attachment.blobId] }]);
      for (const [content, meta] of sends) {
        await (
          await a.messenger.send(conversationId, encodeContent(content), meta)
        ).acknowledged;
      }
      await (
        await b.messenger.send(conversationId, encodeContent({ type: 'reaction', emoji: c('reaction') }), {
          kind: 'reaction',
          refSeq: firstAck.seq,
        })
      ).acknowledged;

      // The other member reads every one of them: the canaries did travel, end to end.
      const fileMessage = await waitFor(
        () => b.shown.find((e) => e.content !== null && decodeContent(e.content).type === 'files'),
        'bob receives the file message',
      );
      const received = decodeContent(fileMessage.content ?? new Uint8Array());
      assert.ok(received.type === 'files' && received.files[0]);
      const downloaded = await downloadAndDecryptAttachment(b.session.http, received.files[0]);
      const plainFile = Buffer.from(
        await new Response(downloaded as ReadableStream<Uint8Array>).arrayBuffer(),
      );
      assert.ok(plainFile.includes(c('file content')), 'bob decrypts the file and finds its content');
      const readBy = (shown: SecureEvent[]) =>
        shown
          .flatMap((e) => (e.content === null ? [] : [JSON.stringify(decodeContent(e.content))]))
          .join('\n');
      await waitFor(
        // Every canary but the file's content, which is in the file, not the message.
        () => (findCanaries(readBy(b.shown), canaries).length === canaries.size - 1 ? true : undefined),
        'bob reads every message canary (and his own reaction)',
      );
      await waitFor(
        () => (readBy(a.shown).includes(c('reaction')) ? true : undefined),
        "alice reads bob's reaction",
      );

      // A control: one message sent around the encryption layer must be found, or the search proves nothing. The
      // encrypted conversation refuses it (MLS_MESSAGE_REQUIRED), so it goes to a conversation without a group.
      const control = canary();
      const plainBody = { payload: new TextEncoder().encode(`plain ${control}`) };
      await assert.rejects(
        (await b.session.send(conversationId, plainBody)).acknowledged,
        (error: unknown) => (error as { code?: string }).code === 'MLS_MESSAGE_REQUIRED',
        'plaintext is refused in an encrypted conversation',
      );
      const { conversation: unencrypted } = await b.session.http.post<CreateConversationResponse>(
        '/conversations',
        {
          kind: 'group',
          name: 'control',
          memberIds: [alice.id],
        },
      );
      await (
        await b.session.send(unencrypted.id, plainBody)
      ).acknowledged;
      const controls = new Map([['control', control]]);
      // The bus publishes after the commit and MONITOR reports asynchronously: wait for the control to pass.
      await waitFor(
        () => (findCanaries(redisTraffic, controls).length > 0 ? true : undefined),
        'the unencrypted control on the bus',
      );

      // Everything the server stored, logged and published, searched raw, hex, UTF-16 and base64.
      const corpora = new Map<string, string>();
      corpora.set('server logs', logs);
      corpora.set('Redis traffic', redisTraffic);
      corpora.set(
        'blob store',
        filesUnder(dataDir)
          .map((f) => readFileSync(f).toString('latin1'))
          .join('\n'),
      );
      const readDatabase = (when: string) => {
        if (dialect === 'sqlite') {
          const file = new URL(testDb.url.replace(/^sqlite:/, 'file://')).pathname;
          for (const suffix of ['', '-wal']) {
            if (existsSync(file + suffix))
              corpora.set(
                `SQLite${suffix || ' file'} ${when}`,
                readFileSync(file + suffix).toString('latin1'),
              );
          }
        } else {
          const dump = execFileSync('pg_dump', ['--dbname', testDb.url], { maxBuffer: 256 * 1024 * 1024 });
          corpora.set(`PostgreSQL dump ${when}`, dump.toString('latin1'));
        }
      };
      readDatabase('while running');
      // Stopping checkpoints SQLite's WAL into the database file: read both states.
      await Promise.all(stops.splice(0).map((stop) => stop()));
      await server.stop();
      readDatabase('after stop');
      // The corpora are real: each holds what it should (ids, ciphertext), so a miss means absence, not emptiness.
      assert.ok(corpora.get('Redis traffic')?.includes(conversationId), 'events crossed the bus');
      const stored = [...corpora]
        .filter(([where]) => where.startsWith('SQLite') || where.startsWith('PostgreSQL'))
        .map(([, corpus]) => corpus)
        .join('\n');
      assert.ok(stored.includes(conversationId), 'the database holds the conversation');
      assert.ok(logs.length > 0, 'the server logged');

      assert.deepEqual(
        findCanaries(stored, controls),
        ['control'],
        'the unencrypted control is in the database',
      );
      assert.deepEqual(
        findCanaries(corpora.get('Redis traffic') ?? '', controls),
        ['control'],
        'and on the bus',
      );

      const hits = [...corpora].flatMap(([where, corpus]) =>
        findCanaries(corpus, canaries).map((name) => `${name} in ${where}`),
      );
      assert.deepEqual(hits, [], 'no plaintext anywhere on the server side');
    });
  });
}
