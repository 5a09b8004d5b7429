import { useId, useState, type ReactNode, type SyntheticEvent } from 'react';
import type { TlpLevel } from '@enlets/protocol';
import { TLP_CHOICES } from '../conversations/choices.js';
import { conversationRefusal, type Refusal } from '../conversations/conversation-errors.js';
import type { DirectoryMember } from '../conversations/conversations-api.js';
import { Dialog } from '../conversations/Dialog.js';
import { MemberSearch } from '../conversations/MemberSearch.js';
import { Refused } from '../conversations/Refused.js';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SafeName } from '../ui/SafeName.js';
import { safeName } from '../ui/safe-name.js';
import { createBroadcast } from './broadcasts-api.js';

/** The server's limits (protocol CreateBroadcastRequest): a title of 1..100 characters, 1..500 recipients. */
const TITLE_MAX = 100;
const RECIPIENTS_MAX = 500;

interface NewBroadcastDialogProps {
  readonly session: SecureSession;
  readonly ownUserId: string;
  readonly onClose: () => void;
  /** The broadcast exists: the messenger opens it, and the sender's first message sets up its encryption. */
  readonly onCreated: (conversationId: string) => void;
}

/** A title, a handling marking and the recipients, found with the directory search of the conversation dialog. */
export function NewBroadcastDialog({
  session,
  ownUserId,
  onClose,
  onCreated,
}: NewBroadcastDialogProps): ReactNode {
  const i18n = useI18n();
  const ids = { title: useId(), tlp: useId(), tlpHint: useId() };
  const [title, setTitle] = useState('');
  const [tlp, setTlp] = useState<TlpLevel>('GREEN');
  const [recipients, setRecipients] = useState<readonly DirectoryMember[]>([]);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | undefined>(undefined);
  const chosen = new Set(recipients.map((r) => r.id));

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (recipients.length === 0) {
      setRefusal({ message: i18n.t('broadcasts.new.noRecipients'), code: undefined });
      return;
    }
    setBusy(true);
    setRefusal(undefined);
    createBroadcast(session.http, {
      name: title.trim(),
      tlp,
      recipientIds: recipients.map((r) => r.id),
    }).then(onCreated, (error: unknown) => {
      setRefusal(conversationRefusal(error, i18n));
      setBusy(false);
    });
  };

  return (
    <Dialog title={i18n.t('broadcasts.new.heading')} onClose={onClose} className="new-broadcast">
      <form className="dialog-section group-form" onSubmit={submit} aria-busy={busy}>
        <p className="field-hint">{i18n.t('broadcasts.new.intro')}</p>
        <div className="field">
          <label htmlFor={ids.title}>{i18n.t('broadcasts.new.title')}</label>
          <input
            id={ids.title}
            required
            maxLength={TITLE_MAX}
            value={title}
            onChange={(event) => setTitle(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.tlp}>{i18n.t('convo.tlpLabel')}</label>
          <select
            id={ids.tlp}
            value={tlp}
            aria-describedby={ids.tlpHint}
            onChange={(event) => setTlp(event.target.value as TlpLevel)}
          >
            {TLP_CHOICES.map((level) => (
              <option key={level} value={level}>
                TLP:{level}
              </option>
            ))}
          </select>
          <p id={ids.tlpHint} className="field-hint">
            {i18n.t('convo.tlpHint')}
          </p>
        </div>
        <fieldset className="chosen-members">
          <legend>{i18n.plural('broadcasts.new.recipients', recipients.length)}</legend>
          {recipients.length > 0 && (
            <ul className="member-results">
              {recipients.map((recipient) => (
                <li key={recipient.id} className="member-row">
                  <span className="member-name">
                    <SafeName name={recipient.displayName} />
                  </span>
                  <button
                    type="button"
                    onClick={() => setRecipients((current) => current.filter((r) => r.id !== recipient.id))}
                  >
                    {i18n.t('convo.remove')}
                    <span className="visually-hidden"> {safeName(recipient.displayName).text}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {recipients.length < RECIPIENTS_MAX && (
            <MemberSearch
              session={session}
              ownUserId={ownUserId}
              actionLabel={i18n.t('convo.add')}
              exclude={chosen}
              onChoose={(member) => {
                setRecipients((current) => [...current, member]);
                setRefusal(undefined);
              }}
            />
          )}
        </fieldset>
        <Refused refusal={refusal} />
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? i18n.t('broadcasts.new.creating') : i18n.t('broadcasts.new.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
