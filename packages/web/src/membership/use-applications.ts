import { useCallback, useEffect, useState } from 'react';
import type { EnletsHttpClient } from '@enlets/client';
import type { Application } from '@enlets/protocol';
import { listApplications, type ApplicationFilter } from './membership-api.js';

export type ApplicationsState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'ready'; readonly applications: readonly Application[] };

export interface Applications {
  readonly state: ApplicationsState;
  readonly reload: () => void;
  /** A decision taken here: the row shows it at once (and leaves a list of another status). */
  readonly replace: (application: Application) => void;
}

/** The applications of the vetter's scope with one status (the server decides the scope). */
export function useApplications(http: EnletsHttpClient, filter: ApplicationFilter): Applications {
  const [state, setState] = useState<ApplicationsState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setState({ status: 'loading' });
    listApplications(http, filter).then(
      (applications) => {
        if (!cancelled) setState({ status: 'ready', applications });
      },
      (error: unknown) => {
        if (!cancelled) setState({ status: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, filter, attempt]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  const replace = useCallback(
    (application: Application) => {
      setState((current) => {
        if (current.status !== 'ready') return current;
        const others = current.applications.filter((a) => a.id !== application.id);
        const keep = filter === 'all' || filter === application.status;
        return {
          status: 'ready',
          applications: keep
            ? current.applications.map((a) => (a.id === application.id ? application : a))
            : others,
        };
      });
    },
    [filter],
  );
  return { state, reload, replace };
}
