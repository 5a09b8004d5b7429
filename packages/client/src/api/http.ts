import type { ErrorBody, ErrorCode, LoginRequest, LoginResponse } from '@enlets/protocol';
import { API_PREFIX } from '@enlets/protocol';

/** An error answer from the server, by its catalogued code. */
export class EnletsApiError extends Error {
  override readonly name = 'EnletsApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/**
 * The part of WHATWG `fetch` the SDK uses. Declared here because the SDK compiles without DOM or Node types
 * (it must run in both); browsers and Node 18+ provide a matching global.
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

/** A response body: a WHATWG `ReadableStream` of bytes, declared by what the SDK reads of it. */
export interface ByteStreamLike {
  getReader(): {
    read(): Promise<
      | { readonly done: false; readonly value: Uint8Array }
      | { readonly done: true; readonly value?: Uint8Array | undefined }
    >;
    cancel(reason?: unknown): Promise<void>;
    releaseLock(): void;
  };
}

/** An answer to a raw-bytes call, its body not read yet. */
export interface BinaryResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: ByteStreamLike | null;
  text(): Promise<string>;
}

/** The part of `fetch` raw-bytes calls use (attachment chunks up, blob bytes down), declared as `FetchLike`. */
export type BinaryFetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Uint8Array<ArrayBuffer> },
) => Promise<BinaryResponse>;

export interface ClientOptions {
  /** The server's origin, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** A bearer token from a login; without it only public routes work. */
  readonly token?: string;
  readonly fetch?: FetchLike;
  /** For raw-bytes calls; the global `fetch` by default. A custom `fetch` needs its binary twin here. */
  readonly binaryFetch?: BinaryFetchLike;
}

/** The signed-in account, as `GET /me` and a login answer describe it. */
export type MeResponse = LoginResponse['user'];

/** Typed JSON calls to the REST API under /api/v1. */
export class EnletsHttpClient {
  readonly #baseUrl: string;
  readonly #fetch: FetchLike;
  readonly #binaryFetch: BinaryFetchLike;
  #token: string | undefined;

  constructor(options: ClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? (globalThis as unknown as { fetch: FetchLike }).fetch.bind(globalThis);
    this.#binaryFetch =
      options.binaryFetch ?? (globalThis as unknown as { fetch: BinaryFetchLike }).fetch.bind(globalThis);
  }

  setToken(token: string | undefined): void {
    this.#token = token;
  }

  /** The server's origin this client talks to (no trailing slash). */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** The bearer token of the session, if any. */
  get token(): string | undefined {
    return this.#token;
  }

  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.requestJsonText<T>(method, path, body === undefined ? undefined : JSON.stringify(body));
  }

  /**
   * Like `request`, with a body that is JSON text already: the outbox sends the very bytes it stored, so a
   * retry is byte-identical to the first attempt.
   */
  async requestJsonText<T>(method: string, path: string, bodyText?: string): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bodyText !== undefined) headers['content-type'] = 'application/json';
    if (this.#token !== undefined) headers['authorization'] = `Bearer ${this.#token}`;
    let response: Awaited<ReturnType<FetchLike>>;
    let text: string;
    try {
      response = await this.#fetch(`${this.#baseUrl}${API_PREFIX}${path}`, {
        method,
        headers,
        ...(bodyText === undefined ? {} : { body: bodyText }),
      });
      text = await response.text();
    } catch (cause) {
      throw new EnletsApiError(0, 'NETWORK', `cannot reach ${this.#baseUrl}: ${String(cause)}`);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not our server's answer (a proxy's error page, say): a transient failure for the caller to retry.
      throw new EnletsApiError(response.status, 'INTERNAL', `HTTP ${String(response.status)}: not JSON`);
    }
    if (!response.ok) throw apiError(response.status, parsed);
    return parsed as T;
  }

  /**
   * A call whose request or answer is raw bytes: an attachment chunk up, a blob down. The answer's body is
   * left for the caller to stream; an error answer throws `EnletsApiError`, as `request` does.
   */
  async requestBinary(
    method: string,
    path: string,
    init: { readonly body?: Uint8Array<ArrayBuffer>; readonly headers?: Record<string, string> } = {},
  ): Promise<BinaryResponse> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/octet-stream';
    if (this.#token !== undefined) headers['authorization'] = `Bearer ${this.#token}`;
    let response: BinaryResponse;
    try {
      response = await this.#binaryFetch(`${this.#baseUrl}${API_PREFIX}${path}`, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: init.body }),
      });
    } catch (cause) {
      throw new EnletsApiError(0, 'NETWORK', `cannot reach ${this.#baseUrl}: ${String(cause)}`);
    }
    if (response.ok) return response;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await response.text());
    } catch {
      // Not our server's error body (or cut off): the status alone decides.
    }
    throw apiError(response.status, parsed);
  }

  /**
   * Signs in with a bearer session (the default for scripts) and keeps its token for the following calls.
   *
   * @example
   * const client = new EnletsHttpClient({ baseUrl: 'https://enlets.example' });
   * const { token } = await client.login({ email, password, totpCode: '123456' });
   */
  async login(request: LoginRequest): Promise<LoginResponse> {
    const response = await this.post<LoginResponse>('/auth/login', { session: 'bearer', ...request });
    if (response.token !== undefined) this.#token = response.token;
    return response;
  }

  /** The account of the current session. */
  me(): Promise<MeResponse> {
    return this.get<MeResponse>('/me');
  }

  /** Ends the current session on the server and forgets its token. */
  async logout(): Promise<void> {
    try {
      await this.post('/auth/logout');
    } finally {
      this.#token = undefined;
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
}

/** The error an answer with a failure status stands for, from our server's error body when it has one. */
function apiError(status: number, parsed: unknown): EnletsApiError {
  const error = (parsed as Partial<ErrorBody> | undefined)?.error;
  return new EnletsApiError(
    status,
    error?.code ?? 'INTERNAL',
    error?.message ?? `HTTP ${String(status)}`,
    error?.details,
    error?.requestId,
  );
}
