import type { BinaryFetchLike, FetchLike, WebSocketLike } from '@enlets/client';

/**
 * The browser keeps its session in the server's HttpOnly, SameSite=Strict `enlets_session` cookie: script on
 * the page never holds the token, so an injected script could not carry it off. The SDK is written for bearer
 * tokens; these adapters make it ride on the cookie instead:
 *
 * - `cookieFetch` sends same-origin requests with the cookie and drops the SDK's `Authorization` header (the
 *   server would prefer a bearer header over the cookie);
 * - `CookieWebSocket` lets the cookie authenticate the realtime upgrade (the server checks the page's Origin)
 *   and swallows the SDK's `auth` frame, which has no token to carry.
 *
 * `COOKIE_SESSION` fills the SDK's token slots; the adapters make sure it never leaves the page.
 */
export const COOKIE_SESSION = 'cookie-session';

export const cookieFetch: FetchLike = async (url, init) => {
  const headers = Object.fromEntries(
    Object.entries(init.headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
  return fetch(url, {
    method: init.method,
    headers,
    credentials: 'same-origin',
    ...(init.body === undefined ? {} : { body: init.body }),
  });
};

/**
 * `cookieFetch` for raw-bytes calls (attachment chunks up, blobs and history bundles down): the same cookie,
 * the SDK's `Authorization` header dropped, the response body left to stream.
 */
export const cookieBinaryFetch: BinaryFetchLike = async (url, init) => {
  const headers = Object.fromEntries(
    Object.entries(init.headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
  return fetch(url, {
    method: init.method,
    headers,
    credentials: 'same-origin',
    ...(init.body === undefined ? {} : { body: init.body }),
  });
};

function isAuthFrame(data: string): boolean {
  try {
    const frame: unknown = JSON.parse(data);
    return typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'auth';
  } catch {
    return false;
  }
}

/** The browser's WebSocket, authenticated by the session cookie. */
export class CookieWebSocket implements WebSocketLike {
  readonly #socket: WebSocket;

  constructor(url: string) {
    this.#socket = new WebSocket(url);
  }

  get readyState(): number {
    return this.#socket.readyState;
  }

  send(data: string): void {
    if (isAuthFrame(data)) return;
    this.#socket.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#socket.close(code, reason);
  }

  // The SDK assigns its handlers once per socket; they are forwarded to the browser's socket as they are set.
  #onopen: ((event: unknown) => void) | null = null;
  #onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  #onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  #onerror: ((event: unknown) => void) | null = null;

  get onopen(): ((event: unknown) => void) | null {
    return this.#onopen;
  }
  set onopen(listener: ((event: unknown) => void) | null) {
    this.#onopen = listener;
    this.#socket.onopen = listener;
  }
  get onmessage(): ((event: { readonly data: unknown }) => void) | null {
    return this.#onmessage;
  }
  set onmessage(listener: ((event: { readonly data: unknown }) => void) | null) {
    this.#onmessage = listener;
    this.#socket.onmessage = listener;
  }
  get onclose(): ((event: { readonly code: number; readonly reason: string }) => void) | null {
    return this.#onclose;
  }
  set onclose(listener: ((event: { readonly code: number; readonly reason: string }) => void) | null) {
    this.#onclose = listener;
    this.#socket.onclose = listener;
  }
  get onerror(): ((event: unknown) => void) | null {
    return this.#onerror;
  }
  set onerror(listener: ((event: unknown) => void) | null) {
    this.#onerror = listener;
    this.#socket.onerror = listener;
  }
}
