import WebSocket from 'ws';
import { REALTIME_PATH } from '@enlets/protocol';
import type { TestServer } from './server.js';

/** A server frame as received: parsed JSON, loosely typed so tests can look at any field. */
export type Frame = Readonly<Record<string, unknown>> & { readonly type: string };

export interface WsCloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface ConnectOptions {
  /** Authenticates with an `auth` frame right after opening. */
  readonly token?: string;
  /** Sent as the `enlets_session` cookie on the upgrade request. */
  readonly cookie?: string;
  readonly origin?: string;
  /** Waits for the `ready` frame (default: true when a token or cookie is given). */
  readonly waitReady?: boolean;
  /** Passed to the `ws` client (e.g. `autoPong: false`). */
  readonly wsOptions?: WebSocket.ClientOptions;
}

const DEFAULT_WAIT_MS = 5000;

/**
 * A real `ws` client against a test server that records every frame it receives, with bounded waits: every
 * wait resolves when a matching frame (or the close) arrives, or fails after its timeout.
 */
export class WsClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<WsCloseInfo>;
  closeInfo: WsCloseInfo | undefined;
  #waiters = new Set<() => void>();
  #counter = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
      this.frames.push(JSON.parse(text) as Frame);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        resolve(this.closeInfo);
        this.#wake();
      });
    });
    ws.on('error', () => undefined);
  }

  /** A request id unique on this connection. */
  nextRequestId(prefix = 'r'): string {
    this.#counter += 1;
    return `${prefix}-${String(this.#counter)}`;
  }

  send(frame: Readonly<Record<string, unknown>>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The first frame received so far or later that matches. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = DEFAULT_WAIT_MS, what = 'frame'): Promise<Frame> {
    return this.#until(() => this.frames.find(predicate), timeoutMs, what);
  }

  /** All frames matching, once there are at least `count` of them. */
  waitForCount(
    predicate: (frame: Frame) => boolean,
    count: number,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<Frame[]> {
    return this.#until(
      () => {
        const found = this.frames.filter(predicate);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      `${String(count)} frames`,
    );
  }

  waitClose(timeoutMs = DEFAULT_WAIT_MS): Promise<WsCloseInfo> {
    return this.#until(() => this.closeInfo, timeoutMs, 'close');
  }

  /** Sends a frame with a fresh requestId and waits for the answer (any frame with that requestId). */
  async request(frame: Readonly<Record<string, unknown>>, timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> {
    const requestId = this.nextRequestId(String(frame['type']));
    this.send({ ...frame, requestId });
    return this.waitFor((f) => f['requestId'] === requestId, timeoutMs, `answer to ${requestId}`);
  }

  /** Closes from the client side and waits for the socket to be gone. */
  async close(): Promise<void> {
    if (this.closeInfo === undefined) this.ws.close(1000);
    await this.waitClose();
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  #until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = probe();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `timed out after ${String(timeoutMs)} ms waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}` +
              (this.closeInfo ? ` and close ${String(this.closeInfo.code)}` : ''),
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }
}

export function wsUrl(server: Pick<TestServer, 'url'>): string {
  return `${server.url.replace(/^http/, 'ws')}${REALTIME_PATH}`;
}

/** Opens a connection; with a token or cookie it resolves once the server said `ready`. */
export async function connectWs(
  server: Pick<TestServer, 'url'>,
  options: ConnectOptions = {},
): Promise<WsClient> {
  const headers: Record<string, string> = {};
  if (options.cookie !== undefined) headers['cookie'] = `enlets_session=${options.cookie}`;
  if (options.origin !== undefined) headers['origin'] = options.origin;
  const ws = new WebSocket(wsUrl(server), { headers, ...options.wsOptions });
  const client = new WsClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${String(response.statusCode)}`)),
    );
  });
  if (options.token !== undefined) client.send({ type: 'auth', token: options.token });
  const waitReady = options.waitReady ?? (options.token !== undefined || options.cookie !== undefined);
  if (waitReady) await client.waitFor((f) => f.type === 'ready', DEFAULT_WAIT_MS, 'ready');
  return client;
}

/** Tries to connect and returns the HTTP status the upgrade was refused with (or 101 when accepted). */
export function upgradeStatus(server: TestServer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(server), { headers });
    ws.on('error', () => undefined);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      reject(error);
    });
  });
}

/** A short, bounded pause, to show that something does NOT arrive. */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
