import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CompleteUploadResponse,
  EventRangeResponse,
  SendEventAck,
  UploadStatus,
} from '@enlets/protocol';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { codeOf } from '../helpers/http.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';

const LIMITS = { uploadChunkBytes: 1024, maxFileBytes: 65_536 };

interface Download {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Buffer;
}

for (const dialect of DIALECTS) {
  describe(`http/routes/blobs [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let mallory: TestActor;
    let conversation: string;
    let other: string;

    /** Uploads `file` in chunks (last first, to show order does not matter) and completes it. */
    async function upload(actor: TestActor, file: Buffer, conversationId = conversation): Promise<string> {
      const opened = await server.api.post<UploadStatus>(
        '/api/v1/uploads',
        { size: file.length, conversationId },
        { token: actor.token },
      );
      assert.equal(opened.status, 200);
      const { uploadId, chunkSize, chunkCount } = opened.body;
      for (let index = chunkCount - 1; index >= 0; index -= 1) {
        const put = await server.api.call('PUT', `/api/v1/uploads/${uploadId}/chunks/${String(index)}`, {
          rawBody: file.subarray(index * chunkSize, (index + 1) * chunkSize),
          token: actor.token,
          headers: { 'content-type': 'application/octet-stream' },
        });
        assert.equal(put.status, 204);
      }
      const done = await server.api.post<CompleteUploadResponse>(
        `/api/v1/uploads/${uploadId}/complete`,
        undefined,
        { token: actor.token },
      );
      assert.equal(done.status, 200);
      return done.body.blobId;
    }
    const send = (actor: TestActor, conversationId: string, extra: Record<string, unknown>) =>
      server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload('file'), ...extra },
        { token: actor.token },
      );
    async function download(actor: TestActor, blobId: string, range?: string): Promise<Download> {
      const response = await fetch(`${server.url}/api/v1/blobs/${blobId}`, {
        headers: { authorization: `Bearer ${actor.token}`, ...(range === undefined ? {} : { range }) },
      });
      return {
        status: response.status,
        headers: response.headers,
        bytes: Buffer.from(await response.arrayBuffer()),
      };
    }
    const errorCode = (d: Download): unknown =>
      (JSON.parse(d.bytes.toString('utf8')) as { error: { code: string } }).error.code;

    before(async () => {
      server = await startTestServer(dialect, { config: LIMITS });
      alice = await createActor(server);
      bob = await createActor(server);
      mallory = await createActor(server);
      conversation = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      other = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: mallory.id }],
      });
    });
    after(() => server.close());

    it('lets members download a blob a message carries, whole and by range, with safe headers', async () => {
      const file = randomBytes(2500);
      const blobId = await upload(alice, file);
      const sent = await send(alice, conversation, { attachments: [blobId] });
      assert.equal(sent.status, 200);

      const range = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversation}/events?afterSeq=${String(sent.body.seq - 1)}`,
        { token: bob.token },
      );
      assert.deepEqual(range.body.events[0]?.attachments, [blobId]);

      const whole = await download(bob, blobId);
      assert.equal(whole.status, 200);
      assert.ok(whole.bytes.equals(file));
      assert.equal(whole.headers.get('content-length'), '2500');
      assert.equal(whole.headers.get('content-type'), 'application/octet-stream');
      assert.equal(whole.headers.get('content-disposition'), 'attachment');
      assert.equal(whole.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(whole.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      assert.equal(whole.headers.get('cache-control'), 'private, no-store');
      assert.equal(whole.headers.get('accept-ranges'), 'bytes');

      const middle = await download(bob, blobId, 'bytes=1000-1999');
      assert.equal(middle.status, 206);
      assert.equal(middle.headers.get('content-range'), 'bytes 1000-1999/2500');
      assert.equal(middle.headers.get('content-length'), '1000');
      assert.equal(middle.headers.get('content-disposition'), 'attachment');
      assert.ok(middle.bytes.equals(file.subarray(1000, 2000)));

      const tail = await download(bob, blobId, 'bytes=2400-');
      assert.equal(tail.headers.get('content-range'), 'bytes 2400-2499/2500');
      assert.ok(tail.bytes.equals(file.subarray(2400)));
      const suffix = await download(bob, blobId, 'bytes=-10');
      assert.equal(suffix.status, 206);
      assert.ok(suffix.bytes.equals(file.subarray(2490)));
      const clamped = await download(bob, blobId, 'bytes=2000-99999');
      assert.equal(clamped.headers.get('content-range'), 'bytes 2000-2499/2500');

      // Several ranges or another unit: the whole blob, as RFC 9110 allows.
      const multi = await download(bob, blobId, 'bytes=0-1,5-6');
      assert.equal(multi.status, 200);
      assert.ok(multi.bytes.equals(file));

      const outside = await download(bob, blobId, 'bytes=2500-');
      assert.equal(outside.status, 416);
      assert.equal(outside.headers.get('content-range'), 'bytes */2500');
      assert.equal(errorCode(outside), 'RANGE_NOT_SATISFIABLE');
    });

    it('answers NOT_FOUND to a non-member exactly as for an unknown id', async () => {
      const blobId = await upload(alice, randomBytes(300));
      await send(alice, conversation, { attachments: [blobId] });
      const foreign = await download(mallory, blobId);
      const unknown = await download(mallory, randomUUID());
      assert.equal(foreign.status, 404);
      assert.equal(unknown.status, 404);
      assert.equal(errorCode(foreign), 'NOT_FOUND');
      const strip = (d: Download) => {
        const body = JSON.parse(d.bytes.toString('utf8')) as { error: Record<string, unknown> };
        delete body.error['requestId'];
        return body;
      };
      assert.deepEqual(strip(foreign), strip(unknown));
      // With a Range header too: nothing about the blob's size leaks.
      assert.equal((await download(mallory, blobId, 'bytes=999999-')).status, 404);
    });

    it('lets the uploader download before sending, and nobody else', async () => {
      const file = randomBytes(100);
      const blobId = await upload(alice, file);
      assert.ok((await download(alice, blobId)).bytes.equals(file));
      assert.equal((await download(bob, blobId)).status, 404);
    });

    it('refuses attachments that are not the sender’s complete blob for this conversation', async () => {
      const alicesBlob = await upload(alice, randomBytes(200));
      const elsewhere = await upload(alice, randomBytes(200), other);
      const opened = await server.api.post<UploadStatus>(
        '/api/v1/uploads',
        { size: 10, conversationId: conversation },
        { token: alice.token },
      );
      const head = async () =>
        (
          await server.api.get<EventRangeResponse>(
            `/api/v1/conversations/${conversation}/events?beforeSeq=1000000&limit=1`,
            { token: alice.token },
          )
        ).body.headSeq;
      const before = await head();

      const cases: ReadonlyArray<readonly [TestActor, string, Record<string, unknown>]> = [
        [bob, conversation, { attachments: [alicesBlob] }], // someone else's blob
        [alice, conversation, { attachments: [elsewhere] }], // a blob of another conversation
        [alice, conversation, { attachments: [opened.body.uploadId] }], // an incomplete upload
        [alice, conversation, { attachments: [randomUUID()] }], // nothing at all
        [alice, conversation, { attachments: [alicesBlob, randomUUID()] }], // one bad among good
      ];
      for (const [actor, conversationId, extra] of cases) {
        const refused = await send(actor, conversationId, extra);
        assert.equal(refused.status, 400);
        assert.equal(codeOf(refused), 'INVALID_REFERENCE');
      }
      const sent = await send(alice, conversation, { attachments: [alicesBlob] });
      const reaction = await send(alice, conversation, {
        kind: 'reaction',
        refSeq: sent.body.seq,
        attachments: [alicesBlob],
      });
      assert.equal(codeOf(reaction), 'INVALID_REFERENCE');
      // Refused sends take no seq.
      assert.equal(await head(), before + 1);
      // The blob of the other conversation is still sendable there.
      assert.equal((await send(alice, other, { attachments: [elsewhere] })).status, 200);
    });

    it('stops serving a blob to members once its message is deleted', async () => {
      const blobId = await upload(alice, randomBytes(500));
      const sent = await send(alice, conversation, { attachments: [blobId] });
      assert.equal((await download(bob, blobId)).status, 200);
      const deleted = await send(alice, conversation, {
        kind: 'delete',
        payload: '',
        refSeq: sent.body.seq,
      });
      assert.equal(deleted.status, 200);
      assert.equal((await download(bob, blobId)).status, 404);
      const range = await server.api.get<EventRangeResponse>(
        `/api/v1/conversations/${conversation}/events?afterSeq=${String(sent.body.seq - 1)}&limit=1`,
        { token: bob.token },
      );
      assert.deepEqual(range.body.events[0]?.attachments, []);
    });
  });
}
