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

export interface ClientOptions {
  /** The server's origin, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** A bearer token from a login; without it only public routes work. */
  readonly token?: string;
  readonly fetch?: FetchLike;
}

/** The signed-in account, as `GET /me` and a login answer describe it. */
export type MeResponse = LoginResponse['user'];

/** Typed JSON calls to the REST API under /api/v1. */
export class EnletsHttpClient {
  readonly #baseUrl: string;
  readonly #fetch: FetchLike;
  #token: string | undefined;

  constructor(options: ClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? (globalThis as unknown as { fetch: FetchLike }).fetch.bind(globalThis);
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
    if (!response.ok) {
      const error = (parsed as Partial<ErrorBody> | undefined)?.error;
      throw new EnletsApiError(
        response.status,
        error?.code ?? 'INTERNAL',
        error?.message ?? `HTTP ${String(response.status)}`,
        error?.details,
        error?.requestId,
      );
    }
    return parsed as T;
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
