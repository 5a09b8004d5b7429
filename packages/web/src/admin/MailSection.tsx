import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { EnletsHttpClient } from '@enlets/client';
import { MAIL_STATUSES, type MailListResponse, type MailStatus, type MailSummary } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import { listMail, retryMail } from './admin-api.js';
import { adminErrorMessage } from './admin-errors.js';
import { Announcement, SectionHeading } from './SectionHeading.js';
import { useFocusAfterRender } from './use-focus-after-render.js';

type Filter = MailStatus | 'all';

type Loadable =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'ready'; readonly value: MailListResponse };

function isFilter(value: string): value is Filter {
  return value === 'all' || (MAIL_STATUSES as readonly string[]).includes(value);
}

/**
 * The outgoing mail queue, newest first (never a mail's body: it can hold a one-time link): where each mail
 * stands, how often sending was tried and why it failed; a failed mail can be put back in the queue.
 */
export function MailSection({ http }: { readonly http: EnletsHttpClient }): ReactNode {
  const i18n = useI18n();
  const ids = { heading: useId(), filter: useId(), error: useId() };
  const [filter, setFilter] = useState<Filter>('all');
  const [attempt, setAttempt] = useState(0);
  const [queue, setQueue] = useState<Loadable>({ status: 'loading' });
  const [retrying, setRetrying] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<{ readonly id: string; readonly error: unknown }>();
  const [announcement, setAnnouncement] = useState('');
  const filterField = useRef<HTMLSelectElement>(null);
  const focusNext = useFocusAfterRender();

  useEffect(() => {
    let cancelled = false;
    setQueue((current) => (current.status === 'ready' ? current : { status: 'loading' }));
    listMail(http, filter === 'all' ? undefined : filter).then(
      (value) => {
        if (!cancelled) setQueue({ status: 'ready', value });
      },
      (error: unknown) => {
        if (!cancelled) setQueue({ status: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, filter, attempt]);

  const retry = async (mail: MailSummary): Promise<void> => {
    setRetrying(mail.id);
    setFailure(undefined);
    setAnnouncement('');
    try {
      await retryMail(http, mail.id);
      setAnnouncement(i18n.t('admin.mail.retried', { to: mail.to }));
      setAttempt((a) => a + 1);
      // The button pressed goes with the mail's "failed" status: the reader continues at the filter.
      focusNext(filterField);
    } catch (error) {
      setFailure({ id: mail.id, error });
    } finally {
      setRetrying(undefined);
    }
  };

  return (
    <section className="admin-section" aria-labelledby={ids.heading}>
      <SectionHeading id={ids.heading}>{i18n.t('admin.mail.heading')}</SectionHeading>
      {queue.status === 'ready' && !queue.value.smtpConfigured && (
        <p className="notice">{i18n.t('admin.mail.noSmtp')}</p>
      )}
      <div className="admin-filters">
        <div className="field">
          <label htmlFor={ids.filter}>{i18n.t('admin.mail.filter')}</label>
          <select
            id={ids.filter}
            ref={filterField}
            value={filter}
            onChange={(event) => {
              if (isFilter(event.target.value)) setFilter(event.target.value);
            }}
          >
            <option value="all">{i18n.t('admin.mail.all')}</option>
            {MAIL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {i18n.t(`admin.mail.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={() => setAttempt((a) => a + 1)}>
          {i18n.t('admin.mail.refresh')}
        </button>
      </div>
      <Announcement text={announcement} />
      {failure !== undefined && (
        <p id={ids.error} className="form-error" role="alert">
          {adminErrorMessage(failure.error, i18n, 'admin.error.mailNotFailed')}
        </p>
      )}
      {queue.status === 'loading' && (
        <p className="admin-status" role="status">
          {i18n.t('admin.mail.loading')}
        </p>
      )}
      {queue.status === 'failed' && (
        <div className="admin-status">
          <p role="alert">{adminErrorMessage(queue.error, i18n)}</p>
          <button type="button" onClick={() => setAttempt((a) => a + 1)}>
            {i18n.t('admin.retryLoad')}
          </button>
        </div>
      )}
      {queue.status === 'ready' &&
        (queue.value.mails.length === 0 ? (
          <p>{i18n.t('admin.mail.empty')}</p>
        ) : (
          <table className="admin-table admin-mail-table">
            <caption>{i18n.plural('admin.mail.count', queue.value.mails.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{i18n.t('admin.mail.to')}</th>
                <th scope="col">{i18n.t('admin.mail.subject')}</th>
                <th scope="col">{i18n.t('admin.mail.statusColumn')}</th>
                <th scope="col">{i18n.t('admin.mail.attempts')}</th>
                <th scope="col">{i18n.t('admin.mail.lastError')}</th>
                <th scope="col">{i18n.t('admin.mail.when')}</th>
                <th scope="col">{i18n.t('admin.mail.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {queue.value.mails.map((mail) => (
                <tr key={mail.id}>
                  <td data-label={i18n.t('admin.mail.to')} className="admin-text">
                    {mail.to}
                  </td>
                  <td data-label={i18n.t('admin.mail.subject')} className="admin-text">
                    {mail.subject} <code className="admin-muted">{mail.kind}</code>
                  </td>
                  <td data-label={i18n.t('admin.mail.statusColumn')}>
                    <span className={`status-pill mail-${mail.status}`}>
                      {i18n.t(`admin.mail.status.${mail.status}`)}
                    </span>
                  </td>
                  <td data-label={i18n.t('admin.mail.attempts')}>{i18n.formatNumber(mail.attempts)}</td>
                  <td data-label={i18n.t('admin.mail.lastError')} className="admin-text">
                    {mail.lastError ?? '—'}
                  </td>
                  <td data-label={i18n.t('admin.mail.when')}>
                    <MailTimes mail={mail} />
                  </td>
                  <td data-label={i18n.t('admin.mail.actions')}>
                    {mail.status === 'failed' ? (
                      <button
                        type="button"
                        aria-label={i18n.t('admin.mail.retryTo', { to: mail.to })}
                        disabled={retrying !== undefined}
                        onClick={() => void retry(mail)}
                      >
                        {retrying === mail.id ? i18n.t('admin.mail.retrying') : i18n.t('admin.mail.retry')}
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}

function MailTimes({ mail }: { readonly mail: MailSummary }): ReactNode {
  const i18n = useI18n();
  return (
    <>
      <span className="admin-time">
        {i18n.t('admin.mail.created', { at: i18n.formatDateTime(mail.createdAt) })}
      </span>
      {mail.sentAt !== null && (
        <span className="admin-time">
          {i18n.t('admin.mail.sent', { at: i18n.formatDateTime(mail.sentAt) })}
        </span>
      )}
      {mail.status === 'queued' && (
        <span className="admin-time">
          {i18n.t('admin.mail.next', { at: i18n.formatDateTime(mail.nextAttemptAt) })}
        </span>
      )}
    </>
  );
}
