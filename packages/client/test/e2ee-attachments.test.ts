import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  decodeContent,
  downloadAndDecryptAttachment,
  encodeContent,
  encryptAndUploadAttachment,
  EnletsApiError,
  EnletsHttpClient,
  MemoryE2eeStore,
  MemoryStore,
  MessengerSession,
  SecureMessenger,
  type AttachmentDescriptor,
  type BinaryFetchLike,
  type FetchLike,
  type SecureEvent,
} from '@enlets/client';
import { AttachmentDecryptionError, AttachmentKey, ATTACHMENT_CHUNK_BYTES } from '@enlets/crypto';
import type { SendEventAck, SessionListResponse } from '@enlets/protocol';
import { DIALECTS } from '../../server/test/helpers/dialects.js';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { createActor, type TestActor } from '../../server/test/helpers/actors.js';
import { createConversation, newClientId } from '../../server/test/helpers/conversations.js';
import { privateMessageBytes } from '../../server/test/helpers/mls.js';
import { digestOf, encodingsOf, filesContaining, generatedFile } from './attachment-files.js';
import { FAST_BACKOFF, trackedWebSocket, waitFor } from './helpers.js';

const realFetch = globalThis.fetch.bind(globalThis) as unknown as BinaryFetchLike;
const MiB = 1024 * 1024;

/** One signed-in device with end-to-end encryption, recording what it shows. */
interface Device {
  readonly messenger: SecureMessenger;
  readonly shown: SecureEvent[];
  stop(): Promise<void>;
}

for (const dialect of DIALECTS) {
  describe(`client/e2ee attachments: encrypted files through the real server [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let conversationId: string;
    const canary = `CANARY-${randomUUID()}`;

    const clientOf = (actor: TestActor, binaryFetch: BinaryFetchLike = realFetch): EnletsHttpClient =>
      new EnletsHttpClient({ baseUrl: server.url, token: actor.token, binaryFetch });

    const upload = (size: number, http = clientOf(alice)) =>
      encryptAndUploadAttachment(
        http,
        {
          conversationId,
          name: `${canary}.pdf`,
          mimeType: 'application/pdf',
          size,
          data: generatedFile(size, canary).stream,
        },
        { backoff: FAST_BACKOFF },
      );

    /**
     * Alice's message carrying the blob, so that Bob may download it. Its payload stands for MLS ciphertext: the
     * conversation has a group once an earlier test sent through SecureMessenger.
     */
    const share = async (descriptor: AttachmentDescriptor): Promise<void> => {
      const sent = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        {
          clientMessageId: newClientId(),
          kind: 'message',
          payload: Buffer.from(privateMessageBytes(conversationId)).toString('base64'),
          attachments: [descriptor.blobId],
        },
        { token: alice.token },
      );
      assert.equal(sent.status, 200);
    };

    before(async () => {
      server = await startTestServer(dialect);
      // KeyPackages carry real lifetimes from the device's clock; the server checks them against its own.
      server.clock.advance(Date.now() - server.clock.now());
      alice = await createActor(server);
      bob = await createActor(server);
      conversationId = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
    });
    after(() => server.close());

    const sizes: Array<[string, number]> = [
      ['empty', 0],
      ['small', 1_000],
      ['exactly one 64 KiB cipher chunk', ATTACHMENT_CHUNK_BYTES],
      ['several upload chunks and a remainder', 2 * MiB + 12_345],
    ];
    for (const [label, size] of sizes) {
      it(`a member reads what another sent: ${label}`, async () => {
        const sent = generatedFile(size, canary);
        const descriptor = await encryptAndUploadAttachment(clientOf(alice), {
          conversationId,
          name: 'report.pdf',
          mimeType: 'application/pdf',
          size,
          data: sent.stream,
        });
        assert.equal(descriptor.size, size);
        assert.ok(descriptor.ciphertextSize > size);
        assert.match(descriptor.sha256, /^[0-9a-f]{64}$/);
        assert.match(descriptor.fileKey, /^AGE-SECRET-KEY-1/);
        await share(descriptor);
        const received = await digestOf(await downloadAndDecryptAttachment(clientOf(bob), descriptor));
        assert.equal(received.error, undefined);
        assert.equal(received.length, size);
        assert.equal(received.sha256, sent.sha256());
      });
    }

    it('the key travels inside the MLS message: Bob opens the file from what he decrypted', async () => {
      const open = async (actor: TestActor): Promise<Device> => {
        const session = new MessengerSession({
          baseUrl: server.url,
          token: actor.token,
          store: new MemoryStore(),
          fetch: realFetch as unknown as FetchLike,
          WebSocket: trackedWebSocket().WebSocket,
          backoff: FAST_BACKOFF,
        });
        const sessions = await server.api.get<SessionListResponse>('/api/v1/me/sessions', {
          token: actor.token,
        });
        const deviceId = sessions.body.sessions.find((s) => s.current)?.id;
        assert.ok(deviceId !== undefined);
        const messenger = await SecureMessenger.open({
          session,
          store: new MemoryE2eeStore(),
          userId: actor.id,
          deviceId,
          keyPackagePool: 4,
        });
        const shown: SecureEvent[] = [];
        messenger.on('event', (e) => shown.push(e));
        session.start();
        return {
          messenger,
          shown,
          stop: async () => {
            messenger.close();
            await session.stop();
          },
        };
      };
      const a = await open(alice);
      const b = await open(bob);
      try {
        const sent = generatedFile(300_000, canary);
        const descriptor = await encryptAndUploadAttachment(clientOf(alice), {
          conversationId,
          name: `${canary}.jpg`,
          mimeType: 'image/jpeg',
          size: 300_000,
          data: sent.stream,
        });
        const pending = await a.messenger.send(
          conversationId,
          encodeContent({ type: 'files', text: 'the scene', files: [descriptor] }),
          { attachments: [descriptor.blobId] },
        );
        await pending.acknowledged;
        const event = await waitFor(
          () => b.shown.find((e) => e.event.kind === 'message' && e.status === 'decrypted'),
          'the message decrypted on Bob’s device',
        );
        assert.ok(event.content);
        const content = decodeContent(event.content);
        assert.equal(content.type, 'files');
        const [reference] = content.files;
        assert.ok(reference);
        assert.deepEqual(event.event.attachments, [reference.blobId]);
        assert.equal(reference.name, `${canary}.jpg`);
        const received = await digestOf(await downloadAndDecryptAttachment(clientOf(bob), reference));
        assert.equal(received.error, undefined);
        assert.equal(received.sha256, sent.sha256());
      } finally {
        await a.stop();
        await b.stop();
      }
    });

    it('refuses the file under another key, and a blob the server altered', async () => {
      const descriptor = await upload(300_000);
      await share(descriptor);
      const otherKey = (await AttachmentKey.generate()).exposeText();
      await assert.rejects(
        downloadAndDecryptAttachment(clientOf(bob), { ...descriptor, fileKey: otherKey }),
        AttachmentDecryptionError,
      );

      // A malicious server flips one bit in the middle of what it serves.
      const flipping: BinaryFetchLike = async (url, init) => {
        const response = await realFetch(url, init);
        if (!url.includes('/blobs/') || response.body === null) return response;
        let served = 0;
        const flip = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            const at = 150_000 - served;
            served += chunk.length;
            if (at >= 0 && at < chunk.length) {
              const copy = Uint8Array.from(chunk);
              copy[at] = (copy[at] ?? 0) ^ 0x10;
              chunk = copy;
            }
            controller.enqueue(chunk);
          },
        });
        const body = (response.body as unknown as ReadableStream<Uint8Array>).pipeThrough(flip);
        return {
          ok: response.ok,
          status: response.status,
          headers: response.headers,
          body,
          text: () => response.text(),
        };
      };
      const tampered = await digestOf(
        await downloadAndDecryptAttachment(clientOf(bob, flipping), descriptor),
      );
      assert.ok(tampered.error instanceof AttachmentDecryptionError, String(tampered.error));
      assert.ok(tampered.length <= 150_000, 'nothing after the flipped chunk came out');
    });

    it('a refused upload stops reading the file: a non-member cannot upload to the conversation', async () => {
      const carol = await createActor(server);
      let cancelled = false;
      const file = generatedFile(200_000, canary);
      const reader = file.stream.getReader();
      const data = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const result = await reader.read();
          if (result.done) controller.close();
          else controller.enqueue(result.value);
        },
        cancel() {
          cancelled = true;
        },
      });
      await assert.rejects(
        encryptAndUploadAttachment(clientOf(carol), {
          conversationId,
          name: 'x',
          mimeType: 'text/plain',
          size: 200_000,
          data,
        }),
        (error: unknown) => error instanceof EnletsApiError && error.code === 'NOT_FOUND',
      );
      assert.ok(cancelled, 'the source was cancelled');
    });

    it('resumes an upload after a failed chunk and a download after a dropped connection', async () => {
      const requests: string[] = [];
      let failNextChunk = true;
      const flakyUpload: BinaryFetchLike = async (url, init) => {
        requests.push(`${init.method} ${url}`);
        if (init.method === 'PUT' && url.endsWith('/chunks/1') && failNextChunk) {
          failNextChunk = false;
          throw new TypeError('fetch failed: connection reset');
        }
        return realFetch(url, init);
      };
      const size = 3 * MiB;
      const sent = generatedFile(size, canary);
      const descriptor = await encryptAndUploadAttachment(
        clientOf(alice, flakyUpload),
        { conversationId, name: 'big.bin', mimeType: 'application/octet-stream', size, data: sent.stream },
        { backoff: FAST_BACKOFF },
      );
      assert.equal(requests.filter((r) => r.endsWith('/chunks/1')).length, 2, 'chunk 1 was sent twice');
      await share(descriptor);

      const ranges: Array<string | undefined> = [];
      let cutAfter: number | undefined = 1.5 * MiB;
      const droppingDownload: BinaryFetchLike = async (url, init) => {
        ranges.push(init.headers['range']);
        const response = await realFetch(url, init);
        const limit = cutAfter;
        if (limit === undefined || response.body === null) return response;
        cutAfter = undefined;
        // The connection dies after `limit` bytes of the first answer.
        const reader = (response.body as unknown as ReadableStream<Uint8Array>).getReader();
        let served = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (served >= limit) {
              await reader.cancel();
              controller.error(new TypeError('terminated: socket closed'));
              return;
            }
            const result = await reader.read();
            if (result.done) {
              controller.close();
              return;
            }
            served += result.value.length;
            controller.enqueue(result.value);
          },
        });
        return {
          ok: response.ok,
          status: response.status,
          headers: response.headers,
          body,
          text: () => response.text(),
        };
      };
      const progress: number[] = [];
      const received = await digestOf(
        await downloadAndDecryptAttachment(clientOf(bob, droppingDownload), descriptor, {
          backoff: FAST_BACKOFF,
          onProgress: (done) => progress.push(done),
        }),
      );
      assert.equal(received.error, undefined);
      assert.equal(received.sha256, sent.sha256());
      assert.equal(ranges.length, 2);
      assert.equal(ranges[0], undefined);
      assert.match(ranges[1] ?? '', /^bytes=\d+-$/);
      assert.ok(Number(/\d+/.exec(ranges[1] ?? '')?.[0]) >= 1.5 * MiB, 'resumed where it stopped');
      assert.equal(progress.at(-1), descriptor.ciphertextSize);
    });

    it('streams 256 MiB both ways in bounded memory, and the server stores no plaintext', async (t) => {
      const size = 256 * MiB;
      // Warm up first, so that the baseline includes the code paths, not just the heap before them.
      await share(await upload(16 * MiB));
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      try {
        const sent = generatedFile(size, canary);
        const descriptor = await encryptAndUploadAttachment(clientOf(alice), {
          conversationId,
          name: 'dump.bin',
          mimeType: 'application/octet-stream',
          size,
          data: sent.stream,
        });
        await share(descriptor);
        const received = await digestOf(await downloadAndDecryptAttachment(clientOf(bob), descriptor));
        assert.equal(received.error, undefined);
        assert.equal(received.length, size);
        assert.equal(received.sha256, sent.sha256());
        assert.ok(received.prefix.includes(Buffer.from(canary)), 'the canary was in the plaintext');
      } finally {
        clearInterval(sampler);
      }
      const growth = peak - baseline;
      t.diagnostic(`peak RSS growth ${(growth / MiB).toFixed(1)} MiB (client and server in one process)`);
      // Streaming keeps this to a few MiB on a quiet machine; on a busy one garbage collection lags and RSS rose by
      // 70 MiB once. Holding the file (plaintext or ciphertext) would add its whole size: half of it is the bound.
      assert.ok(growth < size / 2, `RSS grew by ${(growth / MiB).toFixed(1)} MiB moving a 256 MiB file`);

      const blobs = join(server.config.dataDir, 'blobs');
      assert.deepEqual(await filesContaining(blobs, encodingsOf(canary)), []);
    });
  });
}
