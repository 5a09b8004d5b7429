import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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

/**
 * A forward carries the source message's files again: the same blobs, linked to the copy, so the target's
 * members may download them, but only blobs that the source message carries and that the forwarder may see.
 */
for (const dialect of DIALECTS) {
  describe(`forwarding messages with files [${dialect}]`, () => {
    let server: TestServer;
    let alice: TestActor;
    let bob: TestActor;
    let carla: TestActor;
    let source: string;
    let target: string;
    let elsewhere: string;

    async function upload(actor: TestActor, conversationId: string, size = 700): Promise<string> {
      const opened = await server.api.post<UploadStatus>(
        '/api/v1/uploads',
        { size, conversationId },
        { token: actor.token },
      );
      assert.equal(opened.status, 200);
      const put = await server.api.call('PUT', `/api/v1/uploads/${opened.body.uploadId}/chunks/0`, {
        rawBody: randomBytes(size),
        token: actor.token,
        headers: { 'content-type': 'application/octet-stream' },
      });
      assert.equal(put.status, 204);
      const done = await server.api.post<CompleteUploadResponse>(
        `/api/v1/uploads/${opened.body.uploadId}/complete`,
        undefined,
        { token: actor.token },
      );
      assert.equal(done.status, 200);
      return done.body.blobId;
    }
    const send = async (
      actor: TestActor,
      conversationId: string,
      extra: Record<string, unknown>,
    ): Promise<number> => {
      const res = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${conversationId}/events`,
        { clientMessageId: newClientId(), kind: 'message', payload: payload('file'), ...extra },
        { token: actor.token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.seq;
    };
    const forward = (actor: TestActor, from: string, seq: number, to: string, attachments?: string[]) =>
      server.api.post<SendEventAck>(
        `/api/v1/conversations/${from}/events/${String(seq)}/forward`,
        {
          targetConversationId: to,
          clientMessageId: newClientId(),
          payload: payload('re-encrypted with the file references'),
          ...(attachments === undefined ? {} : { attachments }),
        },
        { token: actor.token },
      );
    const downloadStatus = async (actor: TestActor, blobId: string) =>
      (await server.api.get(`/api/v1/blobs/${blobId}`, { token: actor.token })).status;

    before(async () => {
      server = await startTestServer(dialect, { config: { uploadChunkBytes: 1024 } });
      alice = await createActor(server);
      bob = await createActor(server);
      carla = await createActor(server);
      source = await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
      });
      target = await createConversation(server, {
        members: [{ id: bob.id, role: 'owner' }, { id: carla.id }],
      });
      elsewhere = await createConversation(server, { members: [{ id: alice.id, role: 'owner' }] });
    });
    after(() => server.close());

    it("lets a member forward someone else's file: the target's members may then download it", async () => {
      const blobId = await upload(alice, source);
      const seq = await send(alice, source, { attachments: [blobId] });
      assert.equal(await downloadStatus(carla, blobId), 404, 'not in the source conversation');

      const res = await forward(bob, source, seq, target, [blobId]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const range = await server.api.get<EventRangeResponse>(`/api/v1/conversations/${target}/events`, {
        token: carla.token,
      });
      const copy = range.body.events.find((e) => e.seq === res.body.seq);
      assert.deepEqual(copy?.attachments, [blobId], 'the copy carries the blob');
      assert.equal(await downloadStatus(carla, blobId), 200);

      // Deleting the copy takes the target's access away again; the source's members keep theirs.
      const del = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${target}/events`,
        { clientMessageId: newClientId(), kind: 'delete', payload: '', refSeq: res.body.seq },
        { token: bob.token },
      );
      assert.equal(del.status, 200);
      assert.equal(await downloadStatus(carla, blobId), 404);
      assert.equal(await downloadStatus(bob, blobId), 200);
    });

    it('refuses blobs the source message does not carry, even ones the forwarder uploaded', async () => {
      const carried = await upload(alice, source);
      const seq = await send(alice, source, { attachments: [carried] });
      // Alice's own blob of another conversation, and one of this conversation that no message carries.
      const private_ = await upload(alice, elsewhere);
      await send(alice, elsewhere, { attachments: [private_] });
      const loose = await upload(alice, source);
      for (const smuggled of [private_, loose]) {
        const res = await forward(alice, source, seq, await aliceTarget(), [carried, smuggled]);
        assert.equal(codeOf(res), 'INVALID_REFERENCE');
      }
      assert.equal(await downloadStatus(carla, private_), 404);
      assert.equal(await downloadStatus(carla, loose), 404);
      // A message without files carries none to forward.
      const plain = await send(alice, source, {});
      assert.equal(codeOf(await forward(bob, source, plain, target, [carried])), 'INVALID_REFERENCE');
      // And an ordinary send cannot reference a blob it did not upload for that conversation.
      assert.equal(
        codeOf(
          await server.api.post(
            `/api/v1/conversations/${target}/events`,
            {
              clientMessageId: newClientId(),
              kind: 'message',
              payload: payload('x'),
              attachments: [carried],
            },
            { token: bob.token },
          ),
        ),
        'INVALID_REFERENCE',
      );
      assert.equal(await downloadStatus(carla, carried), 404);
    });

    it('refuses to forward the files of a deleted message', async () => {
      const blobId = await upload(alice, source);
      const seq = await send(alice, source, { attachments: [blobId] });
      const del = await server.api.post<SendEventAck>(
        `/api/v1/conversations/${source}/events`,
        { clientMessageId: newClientId(), kind: 'delete', payload: '', refSeq: seq },
        { token: alice.token },
      );
      assert.equal(del.status, 200);
      assert.equal(codeOf(await forward(bob, source, seq, target, [blobId])), 'INVALID_REFERENCE');
      assert.equal(await downloadStatus(carla, blobId), 404);
    });

    /** A conversation of Alice's with Carla, to forward into. */
    let aliceWithCarla: string | undefined;
    async function aliceTarget(): Promise<string> {
      aliceWithCarla ??= await createConversation(server, {
        members: [{ id: alice.id, role: 'owner' }, { id: carla.id }],
      });
      return aliceWithCarla;
    }
  });
}
