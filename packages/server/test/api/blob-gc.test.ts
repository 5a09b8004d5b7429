import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CompleteUploadResponse, SendEventAck, UploadStatus } from '@enlets/protocol';
import { BLOB_GRACE_MS, collectBlobGarbage } from '../../src/domain/actions/blob-gc.js';
import { DAY_MS, MINUTE_MS } from '../../src/lib/clock.js';
import { DIALECTS } from '../helpers/dialects.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createActor, type TestActor } from '../helpers/actors.js';
import { codeOf } from '../helpers/http.js';
import { createConversation, newClientId, payload } from '../helpers/conversations.js';

for (const dialect of DIALECTS) {
  describe(`domain/actions/blob-gc [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let conversation: string;

    const collect = () => collectBlobGarbage(server.built.services);
    const blobFile = (id: string) => join(server.config.dataDir, 'blobs', id);
    const chunkDir = (id: string) => join(server.config.dataDir, 'blobs', 'uploads', id);

    async function open(actor: TestActor, size: number): Promise<UploadStatus> {
      const opened = await server.api.post<UploadStatus>(
        '/api/v1/uploads',
        { size, conversationId: conversation },
        { token: actor.token },
      );
      assert.equal(opened.status, 200);
      return opened.body;
    }
    const putChunk = (actor: TestActor, uploadId: string, index: number, bytes: Uint8Array) =>
      server.api.call('PUT', `/api/v1/uploads/${uploadId}/chunks/${String(index)}`, {
        rawBody: bytes,
        token: actor.token,
        headers: { 'content-type': 'application/octet-stream' },
      });
    async function upload(actor: TestActor, size = 700): Promise<string> {
      const { uploadId } = await open(actor, size);
      assert.equal((await putChunk(actor, uploadId, 0, randomBytes(size))).status, 204);
      const done = await server.api.post<CompleteUploadResponse>(
        `/api/v1/uploads/${uploadId}/complete`,
        undefined,
        { token: actor.token },
      );
      assert.equal(done.status, 200);
      return done.body.blobId;
    }
    const send = (actor: TestActor, extra: Record<string, unknown>) =>
      server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversation}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload('file'), ...extra },
        { token: actor.token },
      );
    const downloadStatus = async (actor: TestActor, blobId: string) =>
      (await server.api.get(`/api/v1/blobs/${blobId}`, { token: actor.token })).status;

    before(async () => {
      server = await startTestServer(dialect, { config: { uploadChunkBytes: 1024 } });
      alice = await createActor(server);
      bob = await createActor(server);
      conversation = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
    });
    after(() => server.close());

    it('removes unreferenced blobs after the grace period and keeps referenced ones', async () => {
      const loose = await upload(alice);
      const carried = await upload(alice);
      assert.equal((await send(alice, { attachments: [carried] })).status, 200);

      await collect();
      assert.ok(existsSync(blobFile(loose)), 'within the grace period nothing goes');

      server.clock.advance(BLOB_GRACE_MS + MINUTE_MS);
      const result = await collect();
      assert.ok(result.blobs >= 1);
      assert.equal(existsSync(blobFile(loose)), false);
      assert.equal(await downloadStatus(alice, loose), 404);
      assert.ok(existsSync(blobFile(carried)));
      assert.equal(await downloadStatus(bob, carried), 200);
      // A second pass finds nothing left to collect.
      assert.equal((await collect()).blobs, 0);
    });

    it('keeps an old blob that a message has just referenced', async () => {
      const late = await upload(alice);
      server.clock.advance(2 * BLOB_GRACE_MS);
      assert.equal((await send(alice, { attachments: [late] })).status, 200);
      await collect();
      assert.equal(await downloadStatus(bob, late), 200);
    });

    it('collects a blob once the only message carrying it is deleted', async () => {
      const blobId = await upload(alice);
      const sent = await send(alice, { attachments: [blobId] });
      const deleted = await send(alice, { kind: 'delete', payload: '', refSeq: sent.body.seq });
      assert.equal(deleted.status, 200);
      await collect();
      assert.ok(existsSync(blobFile(blobId)), 'the grace period applies after a delete too');
      server.clock.advance(BLOB_GRACE_MS + MINUTE_MS);
      await collect();
      assert.equal(existsSync(blobFile(blobId)), false);
      assert.equal(await downloadStatus(alice, blobId), 404);
      // The sender cannot bring it back.
      assert.equal(codeOf(await send(alice, { attachments: [blobId] })), 'INVALID_REFERENCE');
    });

    it('keeps a blob while another message still carries it', async () => {
      const blobId = await upload(alice);
      const first = await send(alice, { attachments: [blobId] });
      assert.equal((await send(alice, { attachments: [blobId] })).status, 200);
      await send(alice, { kind: 'delete', payload: '', refSeq: first.body.seq });
      server.clock.advance(BLOB_GRACE_MS + MINUTE_MS);
      await collect();
      assert.equal(await downloadStatus(bob, blobId), 200);
    });

    it('removes abandoned uploads after a day without progress', async () => {
      const abandoned = await open(alice, 2000);
      const active = await open(alice, 2000);
      await putChunk(alice, abandoned.uploadId, 0, randomBytes(1024));
      await putChunk(alice, active.uploadId, 0, randomBytes(1024));
      assert.ok(existsSync(chunkDir(abandoned.uploadId)));

      server.clock.advance(DAY_MS - MINUTE_MS);
      // A chunk moves the expiry forward.
      assert.equal((await putChunk(alice, active.uploadId, 1, randomBytes(976))).status, 204);
      server.clock.advance(2 * MINUTE_MS);

      const gone = await server.api.get(`/api/v1/uploads/${abandoned.uploadId}`, { token: alice.token });
      assert.equal(codeOf(gone), 'NOT_FOUND');
      const result = await collect();
      assert.equal(result.uploads, 1);
      assert.equal(existsSync(chunkDir(abandoned.uploadId)), false);
      const alive = await server.api.get<UploadStatus>(`/api/v1/uploads/${active.uploadId}`, {
        token: alice.token,
      });
      assert.deepEqual(alive.body.receivedChunks, [0, 1]);
      assert.ok(existsSync(chunkDir(active.uploadId)));
    });
  });
}
