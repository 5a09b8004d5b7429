import { useEffect, useState } from 'react';
import type { EnletsHttpClient, MeResponse } from '@enlets/client';

/**
 * One's own account as the server has it now. Starts from what the app read at sign-in (so the screen shows real
 * values at once) and reads `GET /me` again when the screen opens: a setting changed earlier in this visit, or on
 * another device, would otherwise show as it was at sign-in. A failed read keeps what the app had.
 */
export function useOwnAccount(http: EnletsHttpClient, loaded: MeResponse): MeResponse {
  const [account, setAccount] = useState(loaded);
  useEffect(() => {
    let cancelled = false;
    http.me().then(
      (fresh) => {
        if (!cancelled) setAccount(fresh);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [http]);
  return account;
}
