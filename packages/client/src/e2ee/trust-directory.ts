import { fromBase64Url, type TrustDirectory } from '@enlets/crypto';
import type { UserDevicesResponse } from '@enlets/protocol';
import { EnletsApiError, type EnletsHttpClient } from '../api/http.js';

/**
 * The server's directory of identity keys and signed device lists, as `TrustStore` asks for it. The server is
 * not trusted here: `TrustStore` pins the first identity key it sees and verifies every list under it.
 */
export class HttpTrustDirectory implements TrustDirectory {
  readonly #http: EnletsHttpClient;

  constructor(http: EnletsHttpClient) {
    this.#http = http;
  }

  async fetchUser(
    userId: string,
  ): Promise<{ identityKey: Uint8Array; deviceList: Uint8Array | undefined } | undefined> {
    let response: UserDevicesResponse;
    try {
      response = await this.#http.get<UserDevicesResponse>(
        `/e2ee/users/${encodeURIComponent(userId)}/devices`,
      );
    } catch (error) {
      if (error instanceof EnletsApiError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
    if (response.identityKey === null) return undefined;
    return {
      identityKey: fromBase64Url(response.identityKey),
      deviceList: response.deviceList === null ? undefined : fromBase64Url(response.deviceList),
    };
  }
}
