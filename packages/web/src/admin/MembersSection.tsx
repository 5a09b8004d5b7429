import { useCallback, useEffect, useId, useState, type SyntheticEvent, type ReactNode } from 'react';
import type { EnletsHttpClient, MeResponse } from '@enlets/client';
import type { Country, MemberListStatus, MemberSummary } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import { countryName, sortedCountries } from '../membership/country-names.js';
import { listCountries } from '../membership/membership-api.js';
import { SafeName } from '../ui/SafeName.js';
import { canSuspendMembers } from './admin-access.js';
import { listMembers, type MemberQuery } from './admin-api.js';
import { adminErrorMessage } from './admin-errors.js';
import { MemberPanel } from './MemberPanel.js';
import { roleLabel } from './role-label.js';
import { StatusPill } from './StatusPill.js';
import { useFocusAfterRender } from './use-focus-after-render.js';
import { Announcement, SectionHeading } from './SectionHeading.js';

type Results =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | {
      readonly status: 'ready';
      readonly members: readonly MemberSummary[];
      readonly nextCursor: string | null;
      readonly loadingMore: boolean;
    };

const FIRST_SEARCH: MemberQuery = { q: '', countryCode: '', status: 'active' };

/** The statuses the filter offers, in its order; the server scopes an NCP's results to their countries. */
const STATUS_FILTER: readonly MemberListStatus[] = ['active', 'suspended', 'invited'];

function isStatusFilter(value: string): value is MemberListStatus {
  return (STATUS_FILTER as readonly string[]).includes(value);
}

/**
 * The members section: a search by name, country and status; the results as a table (stacked cards on a
 * phone); one member opened beside them (alone on a narrow screen) with their roles and moderation.
 */
export function MembersSection({
  http,
  user,
}: {
  readonly http: EnletsHttpClient;
  readonly user: MeResponse;
}): ReactNode {
  const i18n = useI18n();
  const ids = {
    heading: useId(),
    q: useId(),
    status: useId(),
    country: useId(),
    results: useId(),
  };
  const statusFilter = canSuspendMembers(user);
  const [draft, setDraft] = useState<MemberQuery>(FIRST_SEARCH);
  const [search, setSearch] = useState<MemberQuery>(FIRST_SEARCH);
  const [attempt, setAttempt] = useState(0);
  const [results, setResults] = useState<Results>({ status: 'loading' });
  const [countries, setCountries] = useState<readonly Country[]>([]);
  const [openedId, setOpenedId] = useState<string | undefined>(undefined);
  const [announcement, setAnnouncement] = useState('');
  const focusNext = useFocusAfterRender();

  useEffect(() => {
    let cancelled = false;
    listCountries(http).then(
      (list) => {
        if (!cancelled) setCountries(list);
      },
      () => undefined, // the filter then offers "every country" only: nothing to stop the search for
    );
    return () => {
      cancelled = true;
    };
  }, [http]);

  useEffect(() => {
    let cancelled = false;
    setResults({ status: 'loading' });
    listMembers(http, search).then(
      (page) => {
        if (!cancelled) setResults({ status: 'ready', ...page, loadingMore: false });
      },
      (error: unknown) => {
        if (!cancelled) setResults({ status: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, search, attempt]);

  const loadMore = (): void => {
    if (results.status !== 'ready' || results.nextCursor === null) return;
    const { members, nextCursor } = results;
    setResults({ ...results, loadingMore: true });
    listMembers(http, search, nextCursor).then(
      (page) => {
        setResults({
          status: 'ready',
          members: [...members, ...page.members],
          nextCursor: page.nextCursor,
          loadingMore: false,
        });
        setAnnouncement(i18n.plural('admin.members.loadedMore', page.members.length));
      },
      (error: unknown) => setResults({ status: 'failed', error }),
    );
  };

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    setAnnouncement('');
    setSearch(draft);
    setAttempt((a) => a + 1);
  };

  const changed = useCallback((member: MemberSummary) => {
    setResults((current) =>
      current.status === 'ready'
        ? { ...current, members: current.members.map((m) => (m.id === member.id ? member : m)) }
        : current,
    );
  }, []);

  const closeMember = useCallback(
    (id: string | undefined) => {
      setOpenedId(undefined);
      // Back at the row of the member (on a narrow screen the results show again), else at the results.
      focusNext(() => {
        const row = id === undefined ? null : document.getElementById(`member-${id}`);
        return row ?? document.getElementById(ids.results);
      });
    },
    [ids.results, focusNext],
  );

  const removed = useCallback(
    (member: MemberSummary) => {
      setResults((current) =>
        current.status === 'ready'
          ? { ...current, members: current.members.filter((m) => m.id !== member.id) }
          : current,
      );
      setAnnouncement(i18n.t('admin.member.removed', { name: member.displayName }));
      closeMember(undefined);
    },
    [i18n, closeMember],
  );

  const countryOptions = sortedCountries(countries, i18n);

  return (
    <section className="admin-section" aria-labelledby={ids.heading}>
      <SectionHeading id={ids.heading}>{i18n.t('admin.members.heading')}</SectionHeading>
      <div className="admin-members" data-view={openedId === undefined ? 'list' : 'detail'}>
        <div className="admin-members-list">
          <form
            className="admin-filters"
            role="search"
            aria-label={i18n.t('admin.members.search')}
            onSubmit={submit}
          >
            <div className="field">
              <label htmlFor={ids.q}>{i18n.t('admin.members.name')}</label>
              <input
                id={ids.q}
                type="search"
                maxLength={100}
                value={draft.q}
                onChange={(event) => setDraft({ ...draft, q: event.target.value })}
              />
            </div>
            {statusFilter && (
              <div className="field">
                <label htmlFor={ids.status}>{i18n.t('admin.members.status')}</label>
                <select
                  id={ids.status}
                  value={draft.status}
                  onChange={(event) => {
                    const status = event.target.value;
                    if (isStatusFilter(status)) setDraft({ ...draft, status });
                  }}
                >
                  {STATUS_FILTER.map((status) => (
                    <option key={status} value={status}>
                      {i18n.t(`admin.status.${status}`)}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <div className="field">
              <label htmlFor={ids.country}>{i18n.t('admin.members.country')}</label>
              <select
                id={ids.country}
                value={draft.countryCode}
                onChange={(event) => setDraft({ ...draft, countryCode: event.target.value })}
              >
                <option value="">{i18n.t('admin.members.everyCountry')}</option>
                {countryOptions.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="primary">
              {i18n.t('admin.members.searchButton')}
            </button>
          </form>
          <Announcement text={announcement} />
          <MemberResults
            id={ids.results}
            results={results}
            openedId={openedId}
            onOpen={setOpenedId}
            onRetry={() => setAttempt((a) => a + 1)}
            onMore={loadMore}
          />
        </div>
        {openedId !== undefined && (
          <div className="admin-members-detail">
            <MemberPanel
              key={openedId}
              http={http}
              user={user}
              memberId={openedId}
              countries={countryOptions}
              onChanged={changed}
              onRemoved={removed}
              onBack={() => closeMember(openedId)}
            />
          </div>
        )}
      </div>
    </section>
  );
}

function MemberResults({
  id,
  results,
  openedId,
  onOpen,
  onRetry,
  onMore,
}: {
  readonly id: string;
  readonly results: Results;
  readonly openedId: string | undefined;
  readonly onOpen: (id: string) => void;
  readonly onRetry: () => void;
  readonly onMore: () => void;
}): ReactNode {
  const i18n = useI18n();
  switch (results.status) {
    case 'loading':
      return (
        <p className="admin-status" role="status">
          {i18n.t('admin.members.loading')}
        </p>
      );
    case 'failed':
      return (
        <div className="admin-status">
          <p role="alert">{adminErrorMessage(results.error, i18n)}</p>
          <button type="button" onClick={onRetry}>
            {i18n.t('admin.retryLoad')}
          </button>
        </div>
      );
    case 'ready':
      if (results.members.length === 0) {
        return (
          <p id={id} className="admin-status" role="status" tabIndex={-1}>
            {i18n.t('admin.members.none')}
          </p>
        );
      }
      return (
        <>
          <table id={id} className="admin-table admin-members-table" tabIndex={-1}>
            <caption>{i18n.plural('admin.members.count', results.members.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{i18n.t('admin.members.name')}</th>
                <th scope="col">{i18n.t('admin.members.country')}</th>
                <th scope="col">{i18n.t('admin.members.status')}</th>
                <th scope="col">{i18n.t('admin.members.roles')}</th>
              </tr>
            </thead>
            <tbody>
              {results.members.map((member) => (
                <tr key={member.id} aria-current={member.id === openedId ? 'true' : undefined}>
                  <td data-label={i18n.t('admin.members.name')}>
                    <button
                      type="button"
                      id={`member-${member.id}`}
                      className="link-button admin-member-open"
                      onClick={() => onOpen(member.id)}
                    >
                      <SafeName name={member.displayName} />
                    </button>
                  </td>
                  <td data-label={i18n.t('admin.members.country')}>
                    {member.countryCode === null ? '—' : countryName(member.countryCode, i18n)}
                  </td>
                  <td data-label={i18n.t('admin.members.status')}>
                    <StatusPill status={member.status} />
                  </td>
                  <td data-label={i18n.t('admin.members.roles')}>
                    {member.roles.length === 0
                      ? i18n.t('admin.member.noRoles')
                      : member.roles.map((grant) => roleLabel(grant, i18n)).join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {results.nextCursor !== null && (
            <button type="button" onClick={onMore} disabled={results.loadingMore}>
              {results.loadingMore ? i18n.t('admin.members.loading') : i18n.t('admin.members.more')}
            </button>
          )}
        </>
      );
  }
}
