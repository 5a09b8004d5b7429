import { BlobParams } from '@enlets/protocol';
import { accessBlob, readBlob } from '../../domain/access/blobs.js';
import { DomainError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

/** An inclusive byte range, or why the Range header cannot be served. */
type RangeRequest = { readonly start: number; readonly end: number } | 'whole' | 'unsatisfiable';

/**
 * RFC 9110 §14: one `bytes=` range (first-last, first-, or -suffix) against a resource of `size` bytes.
 * Anything this server does not serve as a range (no header, several ranges, another unit, nonsense) is
 * answered with the whole blob, as the RFC allows; a well-formed range outside the blob is unsatisfiable.
 */
function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return 'whole';
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return 'whole';
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return 'whole';
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return 'whole';
  return { start, end };
}

/**
 * Ranged download of an opaque blob. The bytes are never rendered: they are served as an attachment, with
 * nosniff and a sandboxing CSP, and never cached by shared caches.
 */
export function blobRoutes(app: App, services: Services): void {
  app.get(
    '/blobs/:id',
    {
      config: { access: 'messenger.use' },
      // A HEAD would open the file for nothing; clients learn the size from the message or a Range request.
      exposeHeadRoute: false,
      schema: {
        tags: ['attachments'],
        summary: 'Download a blob (whole, or one byte range with Range: bytes=…)',
        params: BlobParams,
      },
    },
    async (request, reply) => {
      const blob = await accessBlob(services, actorOf(request), request.params.id);
      const range = parseRange(request.headers.range, blob.size);
      if (range === 'unsatisfiable') {
        void reply.header('content-range', `bytes */${String(blob.size)}`);
        throw new DomainError('RANGE_NOT_SATISFIABLE', 'the range lies outside the blob', {
          size: blob.size,
        });
      }
      const stream = await readBlob(services, blob, range === 'whole' ? undefined : range);
      void reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', 'attachment')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .header('accept-ranges', 'bytes');
      if (range === 'whole') {
        void reply.header('content-length', String(blob.size));
      } else {
        void reply
          .status(206)
          .header('content-range', `bytes ${String(range.start)}-${String(range.end)}/${String(blob.size)}`)
          .header('content-length', String(range.end - range.start + 1));
      }
      return reply.send(stream);
    },
  );
}
