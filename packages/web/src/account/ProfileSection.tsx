import { useEffect, useId, useState, type SyntheticEvent, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { MAX_STATUS_TEXT, type Availability } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { errorMessage } from '../ui/error-message.js';
import { Field } from '../ui/Field.js';
import { LanguagePicker } from '../ui/LanguagePicker.js';
import { AVAILABILITY_LABELS, CHOICE_LABELS, CHOOSABLE } from './availability.js';
import { useOwnAccount } from './use-own-account.js';
import { usePresence } from './use-presence.js';

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
  const account = useOwnAccount(session.http, user);
  return (
    <section className="account-section" aria-labelledby="profile-heading">
      <h2 id="profile-heading">{i18n.t('account.profile.heading')}</h2>
      <DisplayNameForm session={session} account={account} />
      <AvailabilityForm session={session} account={account} />
      <ReadReceipts session={session} account={account} />
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
  account,
}: {
  readonly session: SecureSession;
  readonly account: MeResponse;
}): ReactNode {
  const i18n = useI18n();
  // What the user typed; until then the account's name (which may still arrive fresh from the server).
  const [typed, setName] = useState<string>();
  const name = typed ?? account.displayName;
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
      <Field className="account-field" label={i18n.t('account.profile.displayName')}>
        {(control) => (
          <input
            {...control}
            value={name}
            required
            maxLength={120}
            autoComplete="name"
            onChange={(event) => setName(event.target.value)}
          />
        )}
      </Field>
      <button type="submit" disabled={saving || name.trim() === ''}>
        {i18n.t('account.profile.saveName')}
      </button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

function AvailabilityForm({
  session,
  account,
}: {
  readonly session: SecureSession;
  readonly account: MeResponse;
}): ReactNode {
  const i18n = useI18n();
  // A choice made on another of the user's devices (or this one) since the connection opened arrives as the
  // user's own presence; before that, the account has the stored choice.
  const own = usePresence(session, account.id);
  const [picked, setAvailability] = useState<Availability>();
  const [typed, setText] = useState<string>();
  const availability = picked ?? own?.availability ?? account.availability;
  const text = typed ?? (own === undefined ? account.statusText : own.text) ?? '';
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  // A new choice from another device replaces unsaved edits here.
  useEffect(() => {
    if (own === undefined) return;
    setAvailability(undefined);
    setText(undefined);
  }, [own]);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    const sent = await session.setPresence(availability, text).catch(() => false);
    if (!sent) {
      setOutcome({ kind: 'error', text: i18n.t('account.availability.offlineNow') });
      return;
    }
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
      <Field className="account-field" label={i18n.t('account.availability.text')}>
        {(control) => (
          <input
            {...control}
            value={text}
            maxLength={MAX_STATUS_TEXT}
            placeholder={i18n.t('account.availability.textPlaceholder')}
            disabled={availability === 'offline'}
            onChange={(event) => setText(event.target.value)}
          />
        )}
      </Field>
      <button type="submit">{i18n.t('account.availability.save')}</button>
      <OutcomeLine outcome={outcome} />
    </form>
  );
}

function ReadReceipts({
  session,
  account,
}: {
  readonly session: SecureSession;
  readonly account: MeResponse;
}): ReactNode {
  const i18n = useI18n();
  const id = useId();
  const [changed, setEnabled] = useState<boolean>();
  const enabled = changed ?? account.readReceipts;
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const change = async (next: boolean): Promise<void> => {
    const before = enabled;
    // The box follows the click at once (a checkbox that waits for the server looks broken); a refusal puts it back.
    setEnabled(next);
    setSaving(true);
    try {
      await session.http.put('/me/read-receipts', { enabled: next });
      setOutcome({
        kind: 'done',
        text: i18n.t(next ? 'account.receipts.savedOn' : 'account.receipts.savedOff'),
      });
    } catch (error) {
      setEnabled(before);
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
