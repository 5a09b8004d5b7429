import { useEffect, useId, useMemo, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import type { Application } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { Icon } from '../ui/icons.js';
import { countryName } from './country-names.js';
import { approveApplication, rejectApplication } from './membership-api.js';
import { membershipErrorMessage } from './membership-errors.js';
import { FormError } from './MembershipPage.js';

export type AgencyNames = ReadonlyMap<string, string>;

const REASON_MIN = 5;
const TEXT_MAX = 1000;

type Decision = 'approve' | 'reject';

interface ApplicationDetailProps {
  readonly application: Application;
  readonly agencyNames: AgencyNames;
  readonly onDecided: (application: Application) => void;
  /** Back to the list (on a phone the list is hidden while an application is open). */
  readonly onBack: () => void;
}

/** One application in full, with the vetter's two decisions while it is pending. */
export function ApplicationDetail({
  application,
  agencyNames,
  onDecided,
  onBack,
}: ApplicationDetailProps): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<Decision | undefined>(undefined);
  const [failure, setFailure] = useState<{ readonly decision: Decision; readonly error: unknown }>();
  const [announcement, setAnnouncement] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const ids = {
    heading: useId(),
    note: useId(),
    reason: useId(),
    reasonHint: useId(),
    approveError: useId(),
    rejectError: useId(),
    approveHeading: useId(),
    rejectHeading: useId(),
  };

  // Opening an application puts the reader at its top.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const decide = async (decision: Decision, event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(decision);
    setFailure(undefined);
    try {
      const decided =
        decision === 'approve'
          ? await approveApplication(http, application.id, note)
          : await rejectApplication(http, application.id, reason);
      setAnnouncement(
        i18n.t(decision === 'approve' ? 'vetting.approved' : 'vetting.rejected', {
          name: decided.displayName,
        }),
      );
      onDecided(decided);
    } catch (error) {
      setFailure({ decision, error });
    } finally {
      setBusy(undefined);
    }
  };

  const agency =
    application.agencyName ??
    (application.agencyId === null
      ? i18n.t('vetting.noAgency')
      : (agencyNames.get(application.agencyId) ?? application.agencyId));
  const errorOf = (decision: Decision): string | undefined =>
    failure?.decision === decision ? membershipErrorMessage(failure.error, i18n) : undefined;
  const approveError = errorOf('approve');
  const rejectError = errorOf('reject');
  const pending = application.status === 'pending';

  return (
    <article className="application-detail" aria-labelledby={ids.heading}>
      <button type="button" className="back-button application-back" onClick={onBack}>
        <Icon name="back" />
        <span>{i18n.t('vetting.backToList')}</span>
      </button>
      <h2 id={ids.heading} ref={heading} tabIndex={-1}>
        {i18n.t('vetting.applicationOf', { name: application.displayName })}
      </h2>
      <p role="status" className="vetting-announcement">
        {announcement}
      </p>
      <dl className="application-facts">
        <dt>{i18n.t('vetting.status')}</dt>
        <dd>
          <span className={`status-pill status-${application.status}`}>
            {i18n.t(`vetting.status.${application.status}`)}
          </span>
        </dd>
        <dt>{i18n.t('apply.email')}</dt>
        <dd>{application.email}</dd>
        <dt>{i18n.t('apply.country')}</dt>
        <dd>{countryName(application.countryCode, i18n)}</dd>
        <dt>{i18n.t('apply.agency')}</dt>
        <dd>{agency}</dd>
        <dt>{i18n.t('apply.position')}</dt>
        <dd>{application.position}</dd>
        <dt>{i18n.t('vetting.appliedAt')}</dt>
        <dd>{i18n.formatDateTime(application.createdAt)}</dd>
        {application.verifiedAt !== null && (
          <>
            <dt>{i18n.t('vetting.verifiedAt')}</dt>
            <dd>{i18n.formatDateTime(application.verifiedAt)}</dd>
          </>
        )}
        {application.decidedAt !== null && (
          <>
            <dt>{i18n.t('vetting.decidedAt')}</dt>
            <dd>{i18n.formatDateTime(application.decidedAt)}</dd>
          </>
        )}
        {application.decisionReason !== null && (
          <>
            <dt>{application.status === 'rejected' ? i18n.t('vetting.reason') : i18n.t('vetting.note')}</dt>
            <dd className="application-text">{application.decisionReason}</dd>
          </>
        )}
      </dl>
      <section className="application-justification" aria-labelledby={`${ids.heading}-why`}>
        <h3 id={`${ids.heading}-why`}>{i18n.t('apply.justification')}</h3>
        <p className="application-text">{application.justification}</p>
      </section>
      {pending && (
        <div className="decisions">
          <form
            className="decision"
            aria-labelledby={ids.approveHeading}
            aria-describedby={approveError === undefined ? undefined : ids.approveError}
            onSubmit={(event) => void decide('approve', event)}
          >
            <h3 id={ids.approveHeading}>{i18n.t('vetting.approveHeading')}</h3>
            <p className="field-hint">{i18n.t('vetting.approveHint')}</p>
            <div className="field">
              <label htmlFor={ids.note}>{i18n.t('vetting.noteLabel')}</label>
              <textarea
                id={ids.note}
                rows={2}
                maxLength={TEXT_MAX}
                value={note}
                onChange={(event) => setNote(event.target.value)}
              />
            </div>
            <FormError id={ids.approveError} text={approveError} />
            <button type="submit" className="primary" disabled={busy !== undefined}>
              {busy === 'approve' ? i18n.t('vetting.approving') : i18n.t('vetting.approve')}
            </button>
          </form>
          <form
            className="decision"
            aria-labelledby={ids.rejectHeading}
            aria-describedby={rejectError === undefined ? undefined : ids.rejectError}
            onSubmit={(event) => void decide('reject', event)}
          >
            <h3 id={ids.rejectHeading}>{i18n.t('vetting.rejectHeading')}</h3>
            <div className="field">
              <label htmlFor={ids.reason}>{i18n.t('vetting.reasonLabel')}</label>
              <textarea
                id={ids.reason}
                rows={3}
                required
                minLength={REASON_MIN}
                maxLength={TEXT_MAX}
                aria-describedby={ids.reasonHint}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
              />
              <p id={ids.reasonHint} className="field-hint">
                {i18n.t('vetting.reasonHint', { min: REASON_MIN })}
              </p>
            </div>
            <FormError id={ids.rejectError} text={rejectError} />
            <button type="submit" className="danger" disabled={busy !== undefined}>
              {busy === 'reject' ? i18n.t('vetting.rejecting') : i18n.t('vetting.reject')}
            </button>
          </form>
        </div>
      )}
    </article>
  );
}
