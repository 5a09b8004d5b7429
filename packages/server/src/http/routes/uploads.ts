import {
  CompleteUploadResponse,
  CreateUploadRequest,
  UploadChunkParams,
  UploadParams,
  UploadStatus,
} from '@enlets/protocol';
import { completeUpload, createUpload, putUploadChunk } from '../../domain/actions/uploads.js';
import { getUploadStatus } from '../../domain/access/blobs.js';
import { DomainError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

/**
 * Resumable, chunked upload of opaque blobs (docs/decisions/0009-attachments.md). Chunk bodies are raw bytes:
 * the one place outside JSON, so the `application/octet-stream` parser and the larger body limit are scoped to
 * the chunk route alone.
 */
export function uploadRoutes(app: App, services: Services): void {
  app.post(
    '/uploads',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['attachments'],
        summary: 'Open a resumable upload of an (encrypted) file for a conversation',
        body: CreateUploadRequest,
        response: { 200: UploadStatus },
      },
    },
    (request) => createUpload(services, actorOf(request), request.body),
  );

  app.get(
    '/uploads/:id',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['attachments'],
        summary: 'Where an upload stands (received chunks), to resume it',
        params: UploadParams,
        response: { 200: UploadStatus },
      },
    },
    (request) => getUploadStatus(services, actorOf(request), request.params.id),
  );

  app.post(
    '/uploads/:id/complete',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags: ['attachments'],
        summary: 'Assemble a fully uploaded file into a blob a message can reference',
        params: UploadParams,
        response: { 200: CompleteUploadResponse },
      },
    },
    (request) => completeUpload(services, actorOf(request), request.params.id),
  );

  app.register((scope: App, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: services.config.uploadChunkBytes },
      (_request, body: Buffer, parsed) => {
        parsed(null, body);
      },
    );
    scope.put(
      '/uploads/:id/chunks/:index',
      {
        config: { access: 'messenger.use' },
        bodyLimit: services.config.uploadChunkBytes,
        schema: {
          tags: ['attachments'],
          summary:
            'Store one chunk (application/octet-stream, exactly chunkSize bytes, the last one the remainder); ' +
            'any order, retries allowed',
          params: UploadChunkParams,
          consumes: ['application/octet-stream'],
          // Documents the raw body; it has no `type`, so validation lets the parsed Buffer through.
          body: { contentMediaType: 'application/octet-stream', description: 'The chunk’s bytes' },
        },
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) {
          throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'a chunk is sent as application/octet-stream');
        }
        await putUploadChunk(
          services,
          actorOf(request),
          request.params.id,
          request.params.index,
          request.body,
        );
        return reply.status(204).send();
      },
    );
    done();
  });
}
