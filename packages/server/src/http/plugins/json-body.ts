import sjson from 'secure-json-parse';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses JSON bodies strictly: invalid UTF-8 is refused (the default parser would turn it into U+FFFD and store
 * it), `__proto__` and `constructor.prototype` keys are refused rather than stripped, and an empty body is a
 * MALFORMED_JSON error. Only `application/json` is accepted; everything else is a 415.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new DomainError('INVALID_ENCODING', 'the body is not valid UTF-8'), undefined);
      return;
    }
    if (text.trim() === '') {
      done(new DomainError('MALFORMED_JSON', 'the body is empty'), undefined);
      return;
    }
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const poisoned = error instanceof SyntaxError && /prototype/i.test(error.message);
      done(
        poisoned
          ? new DomainError(
              'FORBIDDEN_KEY',
              'the body contains a forbidden key (__proto__ or constructor.prototype)',
            )
          : new DomainError('MALFORMED_JSON', 'the body is not valid JSON'),
        undefined,
      );
    }
  });
}
