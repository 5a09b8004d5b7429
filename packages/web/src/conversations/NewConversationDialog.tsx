import { useId, useState, type SyntheticEvent, type ReactNode } from 'react';
import type { TlpLevel } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SafeName } from '../ui/SafeName.js';
import { safeName } from '../ui/safe-name.js';
import { TLP_CHOICES } from './choices.js';
import { conversationRefusal, type Refusal } from './conversation-errors.js';
import { createGroup, openDirect, type DirectoryMember } from './conversations-api.js';
import { Dialog } from './Dialog.js';
import { MemberSearch } from './MemberSearch.js';
import { Refused } from './Refused.js';

interface NewConversationDialogProps {
  readonly session: SecureSession;
  readonly ownUserId: string;
  readonly onClose: () => void;
  /** The conversation exists (new, or the 1:1 that existed already): the messenger opens it. */
  readonly onStarted: (conversationId: string) => void;
}

type Kind = 'direct' | 'group';

/** Starts a 1:1 conversation with someone from the directory, or a group with a name, a marking and members. */
export function NewConversationDialog({
  session,
  ownUserId,
  onClose,
  onStarted,
}: NewConversationDialogProps): ReactNode {
  const i18n = useI18n();
  const [kind, setKind] = useState<Kind>('direct');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | undefined>(undefined);

  const run = (action: () => Promise<string>): void => {
    setBusy(true);
    setRefusal(undefined);
    action().then(onStarted, (error: unknown) => {
      setRefusal(conversationRefusal(error, i18n));
      setBusy(false);
    });
  };

  return (
    <Dialog title={i18n.t('convo.new.heading')} onClose={onClose} className="new-conversation">
      <fieldset className="kind-choice">
        <legend>{i18n.t('convo.new.kind')}</legend>
        {(['direct', 'group'] as const).map((choice) => (
          <label key={choice}>
            <input
              type="radio"
              name="conversation-kind"
              value={choice}
              checked={kind === choice}
              onChange={() => {
                setKind(choice);
                setRefusal(undefined);
              }}
            />
            {i18n.t(choice === 'direct' ? 'convo.new.direct' : 'convo.new.group')}
          </label>
        ))}
      </fieldset>
      {kind === 'direct' ? (
        <div className="dialog-section" aria-busy={busy}>
          <p className="field-hint">{i18n.t('convo.new.directHint')}</p>
          <MemberSearch
            session={session}
            ownUserId={ownUserId}
            actionLabel={i18n.t('convo.new.startWith')}
            onChoose={(member) => {
              if (!busy) run(() => openDirect(session.http, member.id));
            }}
          />
        </div>
      ) : (
        <GroupForm
          session={session}
          ownUserId={ownUserId}
          busy={busy}
          onSubmit={(group) => run(() => createGroup(session.http, group))}
        />
      )}
      <Refused refusal={refusal} />
    </Dialog>
  );
}

interface GroupFormProps {
  readonly session: SecureSession;
  readonly ownUserId: string;
  readonly busy: boolean;
  readonly onSubmit: (group: {
    readonly name: string;
    readonly tlp: TlpLevel;
    readonly memberIds: readonly string[];
  }) => void;
}

function GroupForm({ session, ownUserId, busy, onSubmit }: GroupFormProps): ReactNode {
  const i18n = useI18n();
  const nameId = useId();
  const tlpId = useId();
  const tlpHintId = useId();
  const [name, setName] = useState('');
  const [tlp, setTlp] = useState<TlpLevel>('GREEN');
  const [members, setMembers] = useState<readonly DirectoryMember[]>([]);
  const chosen = new Set(members.map((m) => m.id));

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    onSubmit({ name: name.trim(), tlp, memberIds: members.map((m) => m.id) });
  };

  return (
    <form className="dialog-section group-form" onSubmit={submit} aria-busy={busy}>
      <div className="field">
        <label htmlFor={nameId}>{i18n.t('convo.new.groupName')}</label>
        <input
          id={nameId}
          required
          maxLength={120}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={tlpId}>{i18n.t('convo.tlpLabel')}</label>
        <select
          id={tlpId}
          value={tlp}
          aria-describedby={tlpHintId}
          onChange={(event) => setTlp(event.target.value as TlpLevel)}
        >
          {TLP_CHOICES.map((level) => (
            <option key={level} value={level}>
              TLP:{level}
            </option>
          ))}
        </select>
        <p id={tlpHintId} className="field-hint">
          {i18n.t('convo.tlpHint')}
        </p>
      </div>
      <fieldset className="chosen-members">
        <legend>{i18n.plural('convo.new.members', members.length)}</legend>
        {members.length > 0 && (
          <ul className="member-results">
            {members.map((member) => (
              <li key={member.id} className="member-row">
                <span className="member-name">
                  <SafeName name={member.displayName} />
                </span>
                <button
                  type="button"
                  onClick={() => setMembers((current) => current.filter((m) => m.id !== member.id))}
                >
                  {i18n.t('convo.remove')}
                  <span className="visually-hidden"> {safeName(member.displayName).text}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <MemberSearch
          session={session}
          ownUserId={ownUserId}
          actionLabel={i18n.t('convo.add')}
          exclude={chosen}
          onChoose={(member) => setMembers((current) => [...current, member])}
        />
      </fieldset>
      <div className="dialog-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? i18n.t('convo.new.creating') : i18n.t('convo.new.createGroup')}
        </button>
      </div>
    </form>
  );
}
