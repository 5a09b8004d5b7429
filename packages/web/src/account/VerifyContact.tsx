import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ContactVerification, SecurityWarning } from '@enlets/client';
import { Link } from '../app/navigation.js';
import { accountPath } from '../app/routes.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SafeName } from '../ui/SafeName.js';
import { PresenceLine } from './PresenceLine.js';
import { SafetyNumberQr } from './SafetyNumberQr.js';
import type { ContactsState } from './use-contacts.js';
import { usePresence } from './use-presence.js';
import { distinctReasons, useWarnings } from './use-warnings.js';
import { useVerification } from './verification-state.js';
import { VerificationBadge } from './VerificationBadge.js';

interface VerifyContactProps {
  readonly session: SecureSession;
  readonly contactId: string;
  readonly contacts: ContactsState;
}

/**
 * The safety number with one contact (issue 4 item 7): twelve groups of five digits to read to each other and
 * a QR code to scan, the same on both phones; "Mark as verified" once they match. An identity change, or a
 * device of theirs that failed the checks, shows here as a warning with its reason.
 */
export function VerifyContact({ session, contactId, contacts }: VerifyContactProps): ReactNode {
  const i18n = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const status = useRef<HTMLParagraphElement>(null);
  const { state, set } = useVerification(session, contactId);
  const presence = usePresence(session, contactId);
  const concerns = useCallback(
    (warning: SecurityWarning) => warning.failures.some((failure) => failure.userId === contactId),
    [contactId],
  );
  const warnings = useWarnings(session, concerns);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const name =
    contacts.status === 'ready'
      ? contacts.contacts.find((c) => c.userId === contactId)?.displayName
      : undefined;
  const shownName = name ?? i18n.t('account.verify.thisContact');

  // A screen of its own: focus starts on its heading, so screen readers announce where they are.
  useEffect(() => {
    heading.current?.focus();
  }, [contactId]);

  const decide = async (work: () => Promise<ContactVerification>): Promise<void> => {
    setBusy(true);
    setFailed(false);
    try {
      set(await work());
      // The button pressed is gone (the state changed): focus goes to the state it led to.
      requestAnimationFrame(() => status.current?.focus());
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="account-section verify" aria-labelledby="verify-heading">
      <p>
        <Link to={accountPath()} className="account-back">
          {i18n.t('account.verify.back')}
        </Link>
      </p>
      <h1 id="verify-heading" ref={heading} tabIndex={-1}>
        {i18n.t('account.verify.heading')} <SafeName name={shownName} />
      </h1>
      <p className="verify-status" ref={status} tabIndex={-1}>
        {state.status === 'ready' && <VerificationBadge state={state.verification.state} />}
        <PresenceLine presence={presence} />
      </p>
      {warnings.length > 0 && (
        <div className="account-warning" role="alert">
          <h2>{i18n.t('account.verify.warningsHeading')}</h2>
          <ul>
            {distinctReasons(warnings).map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      )}
      {state.status === 'loading' && <p role="status">{i18n.t('account.verify.computing')}</p>}
      {state.status === 'failed' && <p role="alert">{i18n.t('account.verify.failed')}</p>}
      {state.status === 'ready' && state.verification.state === 'unknown' && (
        <p>{i18n.t('account.verify.unknown')}</p>
      )}
      {state.status === 'ready' && state.verification.state !== 'unknown' && (
        <Comparison
          verification={state.verification}
          busy={busy}
          failed={failed}
          onAcceptChange={(digits) => void decide(() => session.acceptIdentityChange(contactId, digits))}
          onMarkVerified={(digits) => void decide(() => session.markVerified(contactId, digits))}
        />
      )}
    </section>
  );
}

type KnownVerification = Exclude<ContactVerification, { readonly state: 'unknown' }>;

interface ComparisonProps {
  readonly verification: KnownVerification;
  readonly busy: boolean;
  readonly failed: boolean;
  /** Called with the safety number the user was shown, so the worker checks it is still the current one. */
  readonly onAcceptChange: (digits: string) => void;
  readonly onMarkVerified: (digits: string) => void;
}

/** The number to compare, as digits and QR code, the decision to take, and the contact's listed devices. */
function Comparison({
  verification,
  busy,
  failed,
  onAcceptChange,
  onMarkVerified,
}: ComparisonProps): ReactNode {
  const i18n = useI18n();
  const { state, safetyNumber, changedSafetyNumber, devices } = verification;
  return (
    <>
      {state === 'changed' && changedSafetyNumber !== undefined && (
        <div className="account-warning" role="alert">
          <h2>{i18n.t('account.verify.changedHeading')}</h2>
          <p>{i18n.t('account.verify.changedText')}</p>
          <p className="account-hint">{i18n.t('account.verify.newNumber')}</p>
          <SafetyDigits groups={changedSafetyNumber.groups} label={i18n.t('account.verify.newNumber')} />
          <button type="button" disabled={busy} onClick={() => onAcceptChange(changedSafetyNumber.digits)}>
            {i18n.t('account.verify.acceptChange')}
          </button>
        </div>
      )}
      <p>{i18n.t('account.verify.instructions')}</p>
      <div className="safety">
        <SafetyDigits groups={safetyNumber.groups} label={i18n.t('account.verify.numberLabel')} />
        <SafetyNumberQr text={safetyNumber.qrText} label={i18n.t('account.verify.qrLabel')} />
      </div>
      {state === 'verified' && (
        <p className="account-done" role="status">
          {i18n.t('account.verify.verifiedText')}
        </p>
      )}
      {state === 'unverified' && (
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => onMarkVerified(safetyNumber.digits)}
        >
          {i18n.t('account.verify.markVerified')}
        </button>
      )}
      {failed && <p role="alert">{i18n.t('account.verify.decisionFailed')}</p>}
      <h2>{i18n.t('account.verify.devicesHeading')}</h2>
      {devices.length === 0 ? (
        <p>{i18n.t('account.devices.none')}</p>
      ) : (
        <ul className="account-list">
          {devices.map((device) => (
            <li key={device.deviceId} className="account-item">
              <code className="fingerprint">{device.fingerprint}</code>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The digits in groups of five, read as such by screen readers (a label with spaced groups). */
function SafetyDigits({
  groups,
  label,
}: {
  readonly groups: readonly string[];
  readonly label: string;
}): ReactNode {
  return (
    <p className="safety-number" role="group" aria-label={label}>
      {groups.map((group, index) => (
        <span key={index} className="safety-group">
          {group}
        </span>
      ))}
    </p>
  );
}
