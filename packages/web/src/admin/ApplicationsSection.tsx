import { useEffect, useId, useState, type ReactNode } from 'react';
import type { EnletsHttpClient } from '@enlets/client';
import type { Application } from '@enlets/protocol';
import { Link } from '../app/navigation.js';
import { vettingPath } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { countryName } from '../membership/country-names.js';
import { SafeName } from '../ui/SafeName.js';
import { listApplicationsWithStatus } from './admin-api.js';
import { adminErrorMessage } from './admin-errors.js';
import { SectionHeading } from './SectionHeading.js';

const STATUSES = ['pending', 'approved', 'rejected'] as const;
type Decided = (typeof STATUSES)[number];
/** The oldest waiting applications shown here; the vetting queue has them all. */
const WAITING_SHOWN = 5;

type Summary =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | {
      readonly status: 'ready';
      readonly counts: Readonly<Record<Decided, number>>;
      readonly waiting: readonly Application[];
    };

/**
 * Membership applications at a glance: how many wait, were approved, were rejected (in the caller's scope),
 * and the ones waiting longest. Deciding them is the vetting queue's job (src/membership/VettingQueue.tsx),
 * which every row and the main link open.
 */
export function ApplicationsSection({ http }: { readonly http: EnletsHttpClient }): ReactNode {
  const i18n = useI18n();
  const ids = { heading: useId(), counts: useId(), waiting: useId() };
  const [summary, setSummary] = useState<Summary>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setSummary({ status: 'loading' });
    Promise.all(STATUSES.map((s) => listApplicationsWithStatus(http, s))).then(
      ([pending = [], approved = [], rejected = []]) => {
        if (cancelled) return;
        const waiting = [...pending]
          .sort((a, b) => (a.verifiedAt ?? a.createdAt) - (b.verifiedAt ?? b.createdAt))
          .slice(0, WAITING_SHOWN);
        setSummary({
          status: 'ready',
          counts: { pending: pending.length, approved: approved.length, rejected: rejected.length },
          waiting,
        });
      },
      (error: unknown) => {
        if (!cancelled) setSummary({ status: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, attempt]);

  return (
    <section className="admin-section" aria-labelledby={ids.heading}>
      <SectionHeading id={ids.heading}>{i18n.t('admin.applications.heading')}</SectionHeading>
      <p>
        <Link to={vettingPath()} className="admin-primary-link">
          {i18n.t('admin.applications.openQueue')}
        </Link>
      </p>
      {summary.status === 'loading' && (
        <p className="admin-status" role="status">
          {i18n.t('admin.applications.loading')}
        </p>
      )}
      {summary.status === 'failed' && (
        <div className="admin-status">
          <p role="alert">{adminErrorMessage(summary.error, i18n)}</p>
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            {i18n.t('admin.retryLoad')}
          </button>
        </div>
      )}
      {summary.status === 'ready' && (
        <>
          <section className="admin-panel" aria-labelledby={ids.counts}>
            <h2 id={ids.counts}>{i18n.t('admin.applications.counts')}</h2>
            <dl className="admin-counts">
              {STATUSES.map((s) => (
                <div key={s}>
                  <dt>{i18n.t(`vetting.status.${s}`)}</dt>
                  <dd>{i18n.formatNumber(summary.counts[s])}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section className="admin-panel" aria-labelledby={ids.waiting}>
            <h2 id={ids.waiting}>{i18n.t('admin.applications.waiting')}</h2>
            {summary.waiting.length === 0 ? (
              <p>{i18n.t('admin.applications.noneWaiting')}</p>
            ) : (
              <ul className="admin-waiting">
                {summary.waiting.map((a) => (
                  <li key={a.id}>
                    <Link to={vettingPath(a.id)}>
                      <SafeName name={a.displayName} />
                    </Link>
                    <span className="admin-muted">
                      {countryName(a.countryCode, i18n)} · {i18n.formatRecent(a.verifiedAt ?? a.createdAt)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </section>
  );
}
