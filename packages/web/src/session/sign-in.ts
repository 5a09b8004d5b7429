import type { EnletsHttpClient, MeResponse } from '@enlets/client';
import { EnletsApiError } from '@enlets/client';
import type { LoginRequest, LoginResponse } from '@enlets/protocol';

const DEVICE_ID_KEY = 'enlets.deviceId';
export const DEVICE_LABEL = 'ENLETS web';

/**
 * A random id for this browser profile, kept across sign-ins, so the server tells a known device from a new
 * one (and mails the account owner about the latter). Only its hash is stored on the server.
 */
export function deviceId(): string | undefined {
  try {
    const existing = localStorage.getItem(DEVICE_ID_KEY);
    if (existing !== null && /^[A-Za-z0-9_-]{16,128}$/.test(existing)) return existing;
    const fresh = crypto.randomUUID();
    localStorage.setItem(DEVICE_ID_KEY, fresh);
    return fresh;
  } catch {
    return undefined; // storage disabled: every sign-in looks like a new device
  }
}

export interface Credentials {
  readonly email: string;
  readonly password: string;
  /** A TOTP code (6 digits) or a recovery code, once the server asked for a second factor. */
  readonly secondFactor?: string;
}

export type SignInOutcome =
  { readonly kind: 'signedIn'; readonly user: MeResponse } | { readonly kind: 'secondFactorRequired' };

/** Signs in with a cookie session. Throws EnletsApiError for every refusal but "second factor required". */
export async function signIn(client: EnletsHttpClient, credentials: Credentials): Promise<SignInOutcome> {
  const id = deviceId();
  const code = credentials.secondFactor?.trim();
  const request: LoginRequest = {
    email: credentials.email.trim(),
    password: credentials.password,
    session: 'cookie',
    deviceLabel: DEVICE_LABEL,
    ...(id === undefined ? {} : { deviceId: id }),
    ...(code === undefined || code === ''
      ? {}
      : /^[0-9]{6}$/.test(code)
        ? { totpCode: code }
        : { recoveryCode: code.toLowerCase() }),
  };
  try {
    const response = await client.post<LoginResponse>('/auth/login', request);
    return { kind: 'signedIn', user: response.user };
  } catch (error) {
    if (error instanceof EnletsApiError && error.code === 'SECOND_FACTOR_REQUIRED') {
      return { kind: 'secondFactorRequired' };
    }
    throw error;
  }
}

/** The signed-in account of the cookie, or undefined when there is no live session. */
export async function currentUser(client: EnletsHttpClient): Promise<MeResponse | undefined> {
  try {
    return await client.me();
  } catch (error) {
    if (error instanceof EnletsApiError && error.status === 401) return undefined;
    throw error;
  }
}
