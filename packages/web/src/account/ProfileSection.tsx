import { useEffect, useId, useState, type SyntheticEvent, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import type { Availability } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { errorMessage } from '../ui/error-message.js';
import { LanguagePicker } from '../ui/LanguagePicker.js';
import {
  AVAILABILITY_LABELS,
  CHOICE_LABELS,
  CHOOSABLE,
  storeChoice,
  storedChoice,
  storedReadReceipts,
  storeReadReceipts,
} from './availability.js';
import { usePresence } from './use-presence.js';

/** The server's limit on a status text (PresenceFrame). */
const MAX_STATUS_TEXT = 140;

type Outcome = { readonly kind: 'done' | 'error'; readonly text: string } | undefined;

/** Display name, availability with a status text, read receipts and language. */
export function ProfileSection({
  session,
  user,
}: {
  readonly session: SecureSession;
  readonly user: MeResponse;
}): ReactNode {
  const i18n = useI18n();
  return (
    <section className="account-section" aria-labelledby="profile-heading">
      <h2 id="profile-heading">{i18n.t('account.profile.heading')}</h2>
      <DisplayNameForm session={session} user={user} />
      <AvailabilityForm session={session} userId={user.id} />
      <ReadReceipts session={session} userId={user.id} />
      <div className="account-field">
        <LanguagePicker />
      </div>
    </section>
  );
}

function OutcomeLine({ outcome }: { readonly outcome: Outcome }): ReactNode {
  return (
    <p role="status" className={outcome?.kind === 'error' ? 'account-error' : 'account-done'}>
      {outcome?.text}
    </p>
  );
}

function DisplayNameForm({
  session,
  user,
}: {
  readonly session: SecureSession;
  readonly user: MeResponse;
}): ReactNode {
  const i18n = useI18n();
  const id = useId();
  const [name, setName] = useState(user.displayName);
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setSaving(true);
    try {
      const saved = await session.http.patch<MeResponse>('/me', { displayName: name.trim() });
      setName(saved.displayName);
      setOutcome({ kind: 'done', text: i18n.t('account.profile.nameSaved') });
    } catch (error) {
      setOutcome({ kind: 'error', text: errorMessage(error, i18n) });
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="account-form" onSubmit={(event) => void submit(event)}>
      <div className="account-field">
        <label htmlFor={id}>{i18n.t('account.profile.displayName')}</label>
        <input
          id={id}
          value={name}
          required
          maxLength={120}
          autoComplete="name"
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <button type="submit" disabled={saving || name.trim() === ''}>
        {i18n.t('account.profile.saveName')}
      </button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

function AvailabilityForm({
  session,
  userId,
}: {
  readonly session: SecureSession;
  readonly userId: string;
}): ReactNode {
  const i18n = useI18n();
  const textId = useId();
  const own = usePresence(session, userId);
  const [availability, setAvailability] = useState<Availability>(
    () => own?.availability ?? storedChoice(userId)?.availability ?? 'available',
  );
  const [text, setText] = useState(() => own?.text ?? storedChoice(userId)?.text ?? '');
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  // A choice made on another of the user's devices reaches this one as the user's own presence.
  useEffect(() => {
    if (own === undefined || own.availability === 'offline') return;
    setAvailability(own.availability);
    setText(own.text ?? '');
  }, [own]);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    const sent = await session.setPresence(availability, text).catch(() => false);
    if (!sent) {
      setOutcome({ kind: 'error', text: i18n.t('account.availability.offlineNow') });
      return;
    }
    storeChoice(userId, { availability, text: text.trim() });
    setOutcome({
      kind: 'done',
      text: i18n.t('account.availability.saved', { availability: i18n.t(AVAILABILITY_LABELS[availability]) }),
    });
  };
  return (
    <form className="account-form" onSubmit={(event) => void submit(event)}>
      <fieldset className="account-choices">
        <legend>{i18n.t('account.availability.legend')}</legend>
        {CHOOSABLE.map((choice) => (
          <label key={choice} className={`account-choice presence-${choice}`}>
            <input
              type="radio"
              name="availability"
              value={choice}
              checked={availability === choice}
              onChange={() => setAvailability(choice)}
            />
            <span>{i18n.t(CHOICE_LABELS[choice])}</span>
          </label>
        ))}
      </fieldset>
      <div className="account-field">
        <label htmlFor={textId}>{i18n.t('account.availability.text')}</label>
        <input
          id={textId}
          value={text}
          maxLength={MAX_STATUS_TEXT}
          placeholder={i18n.t('account.availability.textPlaceholder')}
          disabled={availability === 'offline'}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <button type="submit">{i18n.t('account.availability.save')}</button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

function ReadReceipts({
  session,
  userId,
}: {
  readonly session: SecureSession;
  readonly userId: string;
}): ReactNode {
  const i18n = useI18n();
  const id = useId();
  const [enabled, setEnabled] = useState(() => storedReadReceipts(userId));
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const change = async (next: boolean): Promise<void> => {
    setSaving(true);
    try {
      await session.http.put('/me/read-receipts', { enabled: next });
      setEnabled(next);
      storeReadReceipts(userId, next);
      setOutcome({
        kind: 'done',
        text: i18n.t(next ? 'account.receipts.savedOn' : 'account.receipts.savedOff'),
      });
    } catch (error) {
      setOutcome({ kind: 'error', text: errorMessage(error, i18n) });
    } finally {
      setSaving(false);
    }
  };
  return (
    <div className="account-form">
      <div className="account-check">
        <input
          id={id}
          type="checkbox"
          checked={enabled}
          disabled={saving}
          aria-describedby={`${id}-hint`}
          onChange={(event) => void change(event.target.checked)}
        />
        <label htmlFor={id}>{i18n.t('account.receipts.label')}</label>
      </div>
      <p id={`${id}-hint`} className="account-hint">
        {i18n.t('account.receipts.hint')}
      </p>
      <OutcomeLine outcome={outcome} />
    </div>
  );
}
