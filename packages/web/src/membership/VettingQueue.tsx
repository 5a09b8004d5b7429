import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import type { Application } from '@enlets/protocol';
import { Link, navigate } from '../app/navigation.js';
import { PATHS, vettingPath } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { LanguagePicker } from '../ui/LanguagePicker.js';
import { ApplicationDetail, type AgencyNames } from './ApplicationDetail.js';
import { countryName } from './country-names.js';
import { canVet, getApplication, listAgencies, type ApplicationFilter } from './membership-api.js';
import { membershipErrorMessage } from './membership-errors.js';
import { useApplications } from './use-applications.js';

const FILTERS: readonly ApplicationFilter[] = ['pending', 'approved', 'rejected', 'all'];

function isFilter(value: string): value is ApplicationFilter {
  return (FILTERS as readonly string[]).includes(value);
}

type Opened =
  | { readonly status: 'none' }
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'ready'; readonly application: Application };

/**
 * The vetting queue of an NCP (their countries) or a Secretariat admin (every country): the verified
 * applications, one opened beside the list (alone on a phone) to approve, or reject with a reason that is
 * e-mailed to the applicant. `/vetting/applications/<id>`, the link in the NCP's mail, opens that one.
 */
export function VettingQueue({
  user,
  applicationId,
}: {
  readonly user: MeResponse;
  readonly applicationId: string | undefined;
}): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const [filter, setFilter] = useState<ApplicationFilter>('pending');
  const applications = useApplications(http, filter);
  const [opened, setOpened] = useState<Opened>({ status: 'none' });
  const [agencyNames, setAgencyNames] = useState<AgencyNames>(new Map());
  const filterField = useRef<HTMLSelectElement>(null);
  const ids = { heading: useId(), filter: useId() };
  const allowed = canVet(user);

  useEffect(() => {
    if (applicationId === undefined) filterField.current?.focus();
  }, [applicationId]);

  // Agency names for the details (the list of a country is public, so is this).
  useEffect(() => {
    let cancelled = false;
    listAgencies(http).then(
      (agencies) => {
        if (!cancelled) setAgencyNames(new Map(agencies.map((a) => [a.id, a.name])));
      },
      () => undefined, // the details then show the agency's id: nothing to stop the vetting for
    );
    return () => {
      cancelled = true;
    };
  }, [http]);

  // The opened application: from the list when it is there, else from the server (a link from a mail).
  const listed =
    applications.state.status === 'ready'
      ? applications.state.applications.find((a) => a.id === applicationId)
      : undefined;
  useEffect(() => {
    if (applicationId === undefined || !allowed) {
      setOpened({ status: 'none' });
      return;
    }
    if (listed !== undefined) {
      setOpened({ status: 'ready', application: listed });
      return;
    }
    let cancelled = false;
    setOpened((current) =>
      current.status === 'ready' && current.application.id === applicationId
        ? current
        : { status: 'loading' },
    );
    getApplication(http, applicationId).then(
      (application) => {
        if (!cancelled) setOpened({ status: 'ready', application });
      },
      (error: unknown) => {
        if (!cancelled) setOpened({ status: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, applicationId, listed, allowed]);

  const decided = (application: Application): void => {
    applications.replace(application);
    setOpened({ status: 'ready', application });
  };

  const back = (): void => {
    const previous = applicationId;
    navigate(vettingPath());
    requestAnimationFrame(() => {
      if (previous !== undefined) document.getElementById(`application-${previous}`)?.focus();
    });
  };

  return (
    <div className="vetting" data-view={applicationId === undefined ? 'list' : 'detail'}>
      <header className="topbar">
        <h1 className="app-name">{i18n.t('app.name')}</h1>
        <div className="topbar-actions">
          <Link to={PATHS.home} className="topbar-link">
            {i18n.t('vetting.toMessenger')}
          </Link>
          <LanguagePicker />
        </div>
      </header>
      {!allowed ? (
        <main className="vetting-detail">
          <p className="form-error" role="alert">
            {i18n.t('vetting.error.forbidden')}
          </p>
        </main>
      ) : (
        <>
          <nav className="vetting-list" aria-labelledby={ids.heading}>
            <h2 id={ids.heading}>{i18n.t('vetting.heading')}</h2>
            <div className="field">
              <label htmlFor={ids.filter}>{i18n.t('vetting.filter')}</label>
              <select
                id={ids.filter}
                ref={filterField}
                value={filter}
                onChange={(event) => {
                  if (isFilter(event.target.value)) setFilter(event.target.value);
                }}
              >
                {FILTERS.map((f) => (
                  <option key={f} value={f}>
                    {i18n.t(`vetting.filter.${f}`)}
                  </option>
                ))}
              </select>
            </div>
            <ApplicationList
              state={applications.state}
              selectedId={applicationId}
              onRetry={applications.reload}
            />
          </nav>
          <main className="vetting-detail">
            {opened.status === 'none' && <p className="chat-placeholder">{i18n.t('vetting.noneSelected')}</p>}
            {opened.status === 'loading' && <p role="status">{i18n.t('vetting.loadingOne')}</p>}
            {opened.status === 'failed' && (
              <div className="vetting-failed">
                <p className="form-error" role="alert">
                  {membershipErrorMessage(opened.error, i18n)}
                </p>
                <button type="button" className="link-button" onClick={back}>
                  {i18n.t('vetting.backToList')}
                </button>
              </div>
            )}
            {opened.status === 'ready' && (
              <ApplicationDetail
                key={opened.application.id}
                application={opened.application}
                agencyNames={agencyNames}
                onDecided={decided}
                onBack={back}
              />
            )}
          </main>
        </>
      )}
    </div>
  );
}

function ApplicationList({
  state,
  selectedId,
  onRetry,
}: {
  readonly state: ReturnType<typeof useApplications>['state'];
  readonly selectedId: string | undefined;
  readonly onRetry: () => void;
}): ReactNode {
  const i18n = useI18n();
  switch (state.status) {
    case 'loading':
      return (
        <p className="list-status" role="status">
          {i18n.t('vetting.loading')}
        </p>
      );
    case 'failed':
      return (
        <div className="list-status">
          <p role="alert">{membershipErrorMessage(state.error, i18n)}</p>
          <button type="button" onClick={onRetry}>
            {i18n.t('conversations.retry')}
          </button>
        </div>
      );
    case 'ready':
      if (state.applications.length === 0) {
        return <p className="list-status">{i18n.t('vetting.empty')}</p>;
      }
      return (
        <ul className="application-list">
          {state.applications.map((application) => (
            <li key={application.id}>
              <ApplicationRow application={application} selected={application.id === selectedId} />
            </li>
          ))}
        </ul>
      );
  }
}

function ApplicationRow({
  application,
  selected,
}: {
  readonly application: Application;
  readonly selected: boolean;
}): ReactNode {
  const i18n = useI18n();
  const path = vettingPath(application.id);
  return (
    <a
      id={`application-${application.id}`}
      href={path}
      className="application-row"
      aria-current={selected ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(path);
      }}
    >
      <span className="application-name">{application.displayName}</span>
      <span className="application-meta">
        {countryName(application.countryCode, i18n)} · {application.position}
      </span>
      <span className="application-meta">
        <span className={`status-pill status-${application.status}`}>
          {i18n.t(`vetting.status.${application.status}`)}
        </span>{' '}
        {i18n.formatRecent(application.verifiedAt ?? application.createdAt)}
      </span>
    </a>
  );
}
