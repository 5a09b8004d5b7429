/** A small HTTP client for the suites: real requests over TCP to a listening server. */
export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface CallOptions {
  readonly body?: unknown;
  /** A raw body sent as is (for malformed-input tests). */
  readonly rawBody?: string | Uint8Array;
  readonly token?: string;
  readonly cookie?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Uint8Array | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] ??= 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.cookie !== undefined) headers['cookie'] = options.cookie;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: body as string }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('application/json') && text !== '')
      parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = Record<string, unknown>>(path: string, options?: CallOptions): Promise<ApiResponse<T>> {
    return this.call<T>('GET', path, options);
  }
  post<T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<ApiResponse<T>> {
    return this.call<T>('POST', path, { ...options, body });
  }
  patch<T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<ApiResponse<T>> {
    return this.call<T>('PATCH', path, { ...options, body });
  }
  put<T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<ApiResponse<T>> {
    return this.call<T>('PUT', path, { ...options, body });
  }
  delete<T = Record<string, unknown>>(path: string, options?: CallOptions): Promise<ApiResponse<T>> {
    return this.call<T>('DELETE', path, options);
  }
}

/** The error code of an error response, for short assertions. */
export function codeOf(response: ApiResponse): unknown {
  return (response.body as { error?: { code?: unknown } }).error?.code;
}
