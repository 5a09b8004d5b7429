import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { CompleteUploadResponse, UploadStatus } from '@enlets/protocol';
import { DAY_MS } from '../../src/lib/clock.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { codeOf, type ApiResponse } from '../helpers/http.js';
import { createConversation } from '../helpers/conversations.js';

/** Small limits so the suite moves kilobytes: 1 KiB chunks, 4 KiB files, 6 KiB per user, 10 KiB per conversation. */
const LIMITS = {
  uploadChunkBytes: 1024,
  maxFileBytes: 4096,
  userQuotaBytes: 6144,
  conversationQuotaBytes: 10_240,
};

/** The `details` of an error response. */
function detailsOf(response: ApiResponse<object>): Record<string, unknown> | undefined {
  return (response.body as { error?: { details?: Record<string, unknown> } }).error?.details;
}

for (const dialect of DIALECTS) {
  describe(`http/routes/uploads [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let mallory: TestActor;
    let conversation: string;

    const open = (actor: TestActor, size: number, conversationId = conversation) =>
      server.api.post<UploadStatus>('/api/v1/uploads', { size, conversationId }, { token: actor.token });
    const putChunk = (actor: TestActor, uploadId: string, index: number, bytes: Uint8Array) =>
      server.api.call('PUT', `/api/v1/uploads/${uploadId}/chunks/${String(index)}`, {
        rawBody: bytes,
        token: actor.token,
        headers: { 'content-type': 'application/octet-stream' },
      });
    const status = (actor: TestActor, uploadId: string) =>
      server.api.get<UploadStatus>(`/api/v1/uploads/${uploadId}`, { token: actor.token });
    const complete = (actor: TestActor, uploadId: string) =>
      server.api.post<CompleteUploadResponse>(`/api/v1/uploads/${uploadId}/complete`, undefined, {
        token: actor.token,
      });

    before(async () => {
      server = await startTestServer(dialect, { config: LIMITS });
      alice = await createActor(server);
      bob = await createActor(server);
      mallory = await createActor(server);
      conversation = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
    });
    after(() => server.close());

    it('takes chunks out of order and retried, resumes from GET, and completes into a blob', async () => {
      const file = randomBytes(2500);
      const opened = await open(alice, file.length);
      assert.equal(opened.status, 200);
      assert.equal(opened.body.chunkSize, 1024);
      assert.equal(opened.body.chunkCount, 3);
      assert.deepEqual(opened.body.receivedChunks, []);
      const id = opened.body.uploadId;

      assert.equal((await putChunk(alice, id, 2, file.subarray(2048))).status, 204);
      assert.equal((await putChunk(alice, id, 0, file.subarray(0, 1024))).status, 204);
      // A retry after a lost response is fine.
      assert.equal((await putChunk(alice, id, 0, file.subarray(0, 1024))).status, 204);

      const resumed = await status(alice, id);
      assert.equal(resumed.status, 200);
      assert.deepEqual(resumed.body.receivedChunks, [0, 2]);
      assert.equal(resumed.body.size, 2500);

      const early = await complete(alice, id);
      assert.equal(early.status, 409);
      assert.equal(codeOf(early), 'UPLOAD_INCOMPLETE');
      assert.deepEqual(detailsOf(early), {
        missingChunks: [1],
        missingCount: 1,
      });

      assert.equal((await putChunk(alice, id, 1, file.subarray(1024, 2048))).status, 204);
      const done = await complete(alice, id);
      assert.equal(done.status, 200);
      assert.deepEqual(done.body, { blobId: id, size: 2500 });
      // Completing again (the response was lost) answers the same blob.
      assert.deepEqual((await complete(alice, id)).body, { blobId: id, size: 2500 });
      // The upload itself is gone.
      assert.equal(codeOf(await status(alice, id)), 'NOT_FOUND');
    });

    it('refuses chunks of the wrong length, index or media type', async () => {
      const opened = await open(alice, 1500);
      const id = opened.body.uploadId;
      const short = await putChunk(alice, id, 0, randomBytes(1000));
      assert.equal(short.status, 400);
      assert.equal(codeOf(short), 'VALIDATION_FAILED');
      const longLast = await putChunk(alice, id, 1, randomBytes(1024));
      assert.equal(codeOf(longLast), 'VALIDATION_FAILED');
      const beyond = await putChunk(alice, id, 2, randomBytes(476));
      assert.equal(codeOf(beyond), 'VALIDATION_FAILED');
      const tooBig = await putChunk(alice, id, 0, randomBytes(2048));
      assert.equal(tooBig.status, 413);
      assert.equal(codeOf(tooBig), 'PAYLOAD_TOO_LARGE');
      const json = await server.api.call('PUT', `/api/v1/uploads/${id}/chunks/0`, {
        body: { bytes: 'AAAA' },
        token: alice.token,
      });
      assert.equal(json.status, 415);
      assert.equal(codeOf(json), 'UNSUPPORTED_MEDIA_TYPE');
      assert.deepEqual((await status(alice, id)).body.receivedChunks, []);
      // The JSON routes still refuse raw bytes.
      const raw = await server.api.call('POST', '/api/v1/uploads', {
        rawBody: randomBytes(10),
        token: alice.token,
        headers: { 'content-type': 'application/octet-stream' },
      });
      assert.equal(raw.status, 415);
    });

    it('keeps an upload its creator’s alone: everyone else gets NOT_FOUND, as for an unknown id', async () => {
      const id = (await open(alice, 100)).body.uploadId;
      const unknown = randomUUID();
      for (const [actor, uploadId] of [
        [bob, id],
        [mallory, id],
        [alice, unknown],
      ] as const) {
        const got = await status(actor, uploadId);
        assert.equal(got.status, 404);
        assert.equal(codeOf(got), 'NOT_FOUND');
        assert.equal(codeOf(await putChunk(actor, uploadId, 0, randomBytes(100))), 'NOT_FOUND');
        assert.equal(codeOf(await complete(actor, uploadId)), 'NOT_FOUND');
      }
      assert.deepEqual((await status(alice, id)).body.receivedChunks, []);
    });

    it('opens uploads only for members of the conversation', async () => {
      const refused = await open(mallory, 100);
      assert.equal(refused.status, 404);
      assert.equal(codeOf(refused), 'NOT_FOUND');
      assert.equal(codeOf(await open(alice, 100, randomUUID())), 'NOT_FOUND');
    });

    it('enforces the per-file limit and the per-user and per-conversation quotas', async () => {
      const carol = await createActor(server);
      const dave = await createActor(server);
      const erin = await createActor(server);
      const room = await createConversation(server, {
        members: [{ id: carol.id, role: 'owner' }, { id: dave.id }, { id: erin.id }],
      });
      const tooLarge = await open(carol, 4097, room);
      assert.equal(tooLarge.status, 413);
      assert.equal(codeOf(tooLarge), 'QUOTA_EXCEEDED');
      assert.deepEqual(detailsOf(tooLarge), {
        quota: 'file',
        limitBytes: 4096,
        usedBytes: 0,
        requestedBytes: 4097,
      });

      // Open uploads count: carol holds 4096 of her 6144 bytes.
      assert.equal((await open(carol, 4096, room)).status, 200);
      const overUser = await open(carol, 3000, room);
      assert.equal(codeOf(overUser), 'QUOTA_EXCEEDED');
      assert.equal(detailsOf(overUser)?.['quota'], 'user');
      assert.equal((await open(carol, 2048, room)).status, 200);

      // The conversation holds 6144 of its 10240 bytes; dave may add 4096, then erin nothing more.
      assert.equal((await open(dave, 4096, room)).status, 200);
      const overRoom = await open(erin, 1, room);
      assert.equal(overRoom.status, 413);
      assert.deepEqual(detailsOf(overRoom), {
        quota: 'conversation',
        limitBytes: 10_240,
        usedBytes: 10_240,
        requestedBytes: 1,
      });
      // Elsewhere erin has room.
      const other = await createConversation(server, { members: [{ id: erin.id, role: 'owner' }] });
      assert.equal((await open(erin, 100, other)).status, 200);

      // Committed blobs count as well.
      const file = randomBytes(1500);
      const up = (await open(erin, 1500, other)).body.uploadId;
      await putChunk(erin, up, 0, file.subarray(0, 1024));
      await putChunk(erin, up, 1, file.subarray(1024));
      assert.equal((await complete(erin, up)).status, 200);
      assert.equal((await open(erin, 4096, other)).status, 200);
      const afterBlob = await open(erin, 449, other);
      assert.equal(codeOf(afterBlob), 'QUOTA_EXCEEDED');
      assert.equal(detailsOf(afterBlob)?.['usedBytes'], 100 + 1500 + 4096);

      // Abandoned uploads stop counting once they expire (a day without a chunk).
      server.clock.advance(DAY_MS + 1);
      assert.equal((await open(erin, 1, room)).status, 200);
      assert.equal((await open(carol, 4096, room)).status, 200);
    });
  });
}
