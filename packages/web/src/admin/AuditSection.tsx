import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { EnletsHttpClient } from '@enlets/client';
import type { AuditEntrySummary, AuditListResponse, AuditVerifyResponse } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import { SafeName } from '../ui/SafeName.js';
import { listAudit, verifyAudit } from './admin-api.js';
import { adminErrorMessage } from './admin-errors.js';
import { detailsText, isKnownAuditAction } from './audit-actions.js';
import { SectionHeading } from './SectionHeading.js';
import { useFocusAfterRender } from './use-focus-after-render.js';
import { useMemberNames, type MemberNames } from './use-member-names.js';

const PAGE_SIZE = 50;
/** Enough of the head hash to compare with another copy by eye; the whole of it is in the title. */
const HASH_SHOWN = 16;

type Loadable<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'ready'; readonly value: T };

/**
 * The audit log: the verdict on its hash chain first (intact, or the first entry where it breaks), then the
 * entries, newest first, a page at a time.
 */
export function AuditSection({ http }: { readonly http: EnletsHttpClient }): ReactNode {
  const i18n = useI18n();
  const ids = { heading: useId() };
  return (
    <section className="admin-section" aria-labelledby={ids.heading}>
      <SectionHeading id={ids.heading}>{i18n.t('admin.audit.heading')}</SectionHeading>
      <ChainStatus http={http} />
      <AuditLog http={http} />
    </section>
  );
}

function ChainStatus({ http }: { readonly http: EnletsHttpClient }): ReactNode {
  const i18n = useI18n();
  const heading = useId();
  const [verdict, setVerdict] = useState<Loadable<AuditVerifyResponse>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setVerdict({ status: 'loading' });
    verifyAudit(http).then(
      (value) => {
        if (!cancelled) setVerdict({ status: 'ready', value });
      },
      (error: unknown) => {
        if (!cancelled) setVerdict({ status: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, attempt]);

  const state = verdict.status === 'ready' ? (verdict.value.ok ? 'intact' : 'broken') : verdict.status;
  return (
    <section className="admin-panel admin-chain" data-state={state} aria-labelledby={heading}>
      <h2 id={heading}>{i18n.t('admin.audit.chain')}</h2>
      <div role="status" className="admin-chain-verdict">
        {verdict.status === 'loading' && <p>{i18n.t('admin.audit.verifying')}</p>}
        {verdict.status === 'failed' && <p>{adminErrorMessage(verdict.error, i18n)}</p>}
        {verdict.status === 'ready' && <Verdict verdict={verdict.value} />}
      </div>
      <button type="button" onClick={() => setAttempt((a) => a + 1)} disabled={verdict.status === 'loading'}>
        {i18n.t('admin.audit.verifyAgain')}
      </button>
    </section>
  );
}

function Verdict({ verdict }: { readonly verdict: AuditVerifyResponse }): ReactNode {
  const i18n = useI18n();
  if (verdict.ok) {
    return (
      <>
        <p className="admin-chain-word">
          <span aria-hidden="true">✓</span> <span>{i18n.t('admin.audit.intact')}</span>
        </p>
        <p>{i18n.plural('admin.audit.intactDetail', verdict.entries)}</p>
        {verdict.entries > 0 && (
          <p>
            {i18n.t('admin.audit.headHash')}{' '}
            <code className="admin-hash" title={verdict.headHash}>
              {verdict.headHash.slice(0, HASH_SHOWN)}…
            </code>
          </p>
        )}
      </>
    );
  }
  return (
    <>
      <p className="admin-chain-word">
        <span aria-hidden="true">✗</span>{' '}
        <span>{i18n.t('admin.audit.broken', { seq: verdict.brokenAtSeq })}</span>
      </p>
      <p>{i18n.t(`admin.audit.reason.${verdict.reason}`)}</p>
      <p>{i18n.plural('admin.audit.brokenDetail', verdict.entries)}</p>
    </>
  );
}

function AuditLog({ http }: { readonly http: EnletsHttpClient }): ReactNode {
  const i18n = useI18n();
  const heading = useId();
  const table = useRef<HTMLTableElement>(null);
  // The `beforeSeq` of each page opened, newest first: undefined is the newest page.
  const [pages, setPages] = useState<readonly (number | undefined)[]>([undefined]);
  const [page, setPage] = useState<Loadable<AuditListResponse>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const beforeSeq = pages.at(-1);
  const moved = useRef(false);
  const focusNext = useFocusAfterRender();

  useEffect(() => {
    let cancelled = false;
    setPage({ status: 'loading' });
    listAudit(http, beforeSeq, PAGE_SIZE).then(
      (value) => {
        if (cancelled) return;
        setPage({ status: 'ready', value });
        // After "older" or "newer", the reader continues at the top of the new page.
        if (moved.current) focusNext(table);
        moved.current = false;
      },
      (error: unknown) => {
        if (!cancelled) setPage({ status: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, beforeSeq, attempt, focusNext]);

  const entries = page.status === 'ready' ? page.value.entries : [];
  const names = useMemberNames(
    http,
    entries.flatMap((e) => [
      ...(e.actorId === null ? [] : [e.actorId]),
      ...(e.targetType === 'user' && e.targetId !== null ? [e.targetId] : []),
    ]),
  );

  const older = page.status === 'ready' ? page.value.nextBeforeSeq : null;
  const go = (next: readonly (number | undefined)[]): void => {
    moved.current = true;
    setPages(next);
  };

  return (
    <section className="admin-panel" aria-labelledby={heading}>
      <h2 id={heading}>{i18n.t('admin.audit.entries')}</h2>
      {page.status === 'loading' && (
        <p className="admin-status" role="status">
          {i18n.t('admin.audit.loading')}
        </p>
      )}
      {page.status === 'failed' && (
        <div className="admin-status">
          <p role="alert">{adminErrorMessage(page.error, i18n)}</p>
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            {i18n.t('admin.retryLoad')}
          </button>
        </div>
      )}
      {page.status === 'ready' && entries.length === 0 && <p>{i18n.t('admin.audit.empty')}</p>}
      {page.status === 'ready' && entries.length > 0 && (
        <table className="admin-table admin-audit-table" ref={table} tabIndex={-1}>
          <caption>
            {i18n.t('admin.audit.pageCaption', {
              newest: entries[0]?.seq ?? 0,
              oldest: entries.at(-1)?.seq ?? 0,
            })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{i18n.t('admin.audit.seq')}</th>
              <th scope="col">{i18n.t('admin.audit.at')}</th>
              <th scope="col">{i18n.t('admin.audit.actor')}</th>
              <th scope="col">{i18n.t('admin.audit.action')}</th>
              <th scope="col">{i18n.t('admin.audit.target')}</th>
              <th scope="col">{i18n.t('admin.audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <AuditRow key={entry.seq} entry={entry} names={names} />
            ))}
          </tbody>
        </table>
      )}
      <div className="admin-pager">
        <button type="button" disabled={pages.length <= 1} onClick={() => go(pages.slice(0, -1))}>
          {i18n.t('admin.audit.newer')}
        </button>
        <button type="button" disabled={older === null} onClick={() => go([...pages, older ?? undefined])}>
          {i18n.t('admin.audit.older')}
        </button>
      </div>
    </section>
  );
}

function AuditRow({
  entry,
  names,
}: {
  readonly entry: AuditEntrySummary;
  readonly names: MemberNames;
}): ReactNode {
  const i18n = useI18n();
  const details = detailsText(entry.details);
  return (
    <tr>
      <td data-label={i18n.t('admin.audit.seq')}>{i18n.formatNumber(entry.seq)}</td>
      <td data-label={i18n.t('admin.audit.at')}>
        <time dateTime={new Date(entry.at).toISOString()}>{i18n.formatDateTime(entry.at)}</time>
      </td>
      <td data-label={i18n.t('admin.audit.actor')}>
        {entry.actorId === null ? i18n.t('admin.audit.system') : <UserRef id={entry.actorId} names={names} />}
      </td>
      <td data-label={i18n.t('admin.audit.action')}>
        {isKnownAuditAction(entry.action) ? i18n.t(`admin.audit.action.${entry.action}`) : entry.action}{' '}
        <code className="admin-muted">{entry.action}</code>
      </td>
      <td data-label={i18n.t('admin.audit.target')}>
        {entry.targetId === null ? (
          '—'
        ) : entry.targetType === 'user' ? (
          <UserRef id={entry.targetId} names={names} />
        ) : (
          <span className="admin-id">
            {entry.targetType ?? ''} {entry.targetId}
          </span>
        )}
      </td>
      <td data-label={i18n.t('admin.audit.details')} className="admin-text">
        {details === '' ? '—' : details}
      </td>
    </tr>
  );
}

/** A user the log names by id: their name once known, the id (for a removed account, marked so) otherwise. */
function UserRef({ id, names }: { readonly id: string; readonly names: MemberNames }): ReactNode {
  const i18n = useI18n();
  const name = names.get(id);
  if (name === undefined) return <span className="admin-id">{id}</span>;
  if (name === null) return <span className="admin-id">{i18n.t('admin.audit.goneUser', { id })}</span>;
  return <SafeName name={name} />;
}
