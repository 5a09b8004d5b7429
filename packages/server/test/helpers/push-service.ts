import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the test push service received: one POST to one subscription's endpoint. */
export interface ReceivedPush {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/**
 * A push service on the loopback interface, speaking the part of RFC 8030 a sender sees: POST to the endpoint,
 * 201 Created. A path can be told to answer something else (410 Gone: the subscription ended).
 */
export class LoopbackPushService {
  readonly received: ReceivedPush[] = [];
  readonly answers = new Map<string, number>();
  readonly #server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      this.received.push({ path, headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(this.answers.get(path) ?? 201, { location: `${path}/messages/${randomUUID()}` });
      response.end();
    });
  });
  origin = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}`;
  }

  to(path: string): ReceivedPush[] {
    return this.received.filter((p) => p.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
