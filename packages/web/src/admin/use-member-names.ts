import { useEffect, useRef, useState } from 'react';
import type { EnletsHttpClient } from '@enlets/client';
import { findMember } from './admin-api.js';

/** A name per user id: the display name, `null` when the account is gone (removed), absent while unknown. */
export type MemberNames = ReadonlyMap<string, string | null>;

/**
 * The display names of the users an audit page mentions, looked up once each (the log stores ids: names
 * change, and a removed account has none to show). A failed lookup leaves the id showing.
 */
export function useMemberNames(http: EnletsHttpClient, ids: readonly string[]): MemberNames {
  const [names, setNames] = useState<MemberNames>(new Map());
  // Ids asked for already (answered or not), so that paging back and forth asks for each once.
  const asked = useRef(new Set<string>());
  const wanted = [...new Set(ids)].sort().join(',');

  useEffect(() => {
    const missing = wanted === '' ? [] : wanted.split(',').filter((id) => !asked.current.has(id));
    if (missing.length === 0) return;
    for (const id of missing) asked.current.add(id);
    void (async () => {
      const found = new Map<string, string | null>();
      for (const id of missing) {
        try {
          found.set(id, (await findMember(http, id))?.displayName ?? null);
        } catch {
          asked.current.delete(id); // the id stays on screen, and the next page may ask again
        }
      }
      setNames((current) => new Map([...current, ...found]));
    })();
  }, [http, wanted]);
  return names;
}
