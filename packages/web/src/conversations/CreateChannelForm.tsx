import { useEffect, useId, useRef, useState, type SyntheticEvent, type ReactNode } from 'react';
import type { ChannelScopeKind, CreateChannelRequest, JoinMode, TlpLevel } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { JOIN_MODE_CHOICES, SCOPE_CHOICES, scopeName, TLP_CHOICES } from './choices.js';
import { conversationRefusal, type Refusal } from './conversation-errors.js';
import { createChannel } from './conversations-api.js';
import { Refused } from './Refused.js';

interface CreateChannelFormProps {
  readonly session: SecureSession;
  readonly onCancel: () => void;
  readonly onCreated: (channelId: string) => void;
}

const JOIN_MODE_KEYS = {
  open: 'convo.join.open',
  closed: 'convo.join.closed',
  password: 'convo.join.password',
} as const;

/**
 * Opens a channel. Who may depends on the scope (network: the Secretariat; a country: its NCPs; a TIG: its
 * leads; ad hoc: anyone): the form offers every scope and shows the server's refusal, which names the rule.
 */
export function CreateChannelForm({ session, onCancel, onCreated }: CreateChannelFormProps): ReactNode {
  const i18n = useI18n();
  const ids = {
    name: useId(),
    description: useId(),
    scope: useId(),
    scopeId: useId(),
    tlp: useId(),
    tlpHint: useId(),
    password: useId(),
  };
  const nameField = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [scopeKind, setScopeKind] = useState<ChannelScopeKind>('adhoc');
  const [scopeId, setScopeId] = useState('');
  const [tlp, setTlp] = useState<TlpLevel>('GREEN');
  const [joinMode, setJoinMode] = useState<JoinMode>('open');
  const [password, setPassword] = useState('');
  const [listed, setListed] = useState(true);
  const [readOnly, setReadOnly] = useState(false);
  const [leaveAllowed, setLeaveAllowed] = useState(true);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | undefined>(undefined);
  const scoped = scopeKind === 'country' || scopeKind === 'tig';
  // The form replaces the directory inside the dialog: the focus moves to its first field.
  useEffect(() => nameField.current?.focus(), []);

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    const trimmedDescription = description.trim();
    const request: CreateChannelRequest = {
      name: name.trim(),
      tlp,
      joinMode,
      listed,
      readOnly,
      leaveAllowed,
      scopeKind,
      ...(trimmedDescription === '' ? {} : { description: trimmedDescription }),
      ...(scoped ? { scopeId: scopeKind === 'country' ? scopeId.trim().toUpperCase() : scopeId.trim() } : {}),
      ...(joinMode === 'password' ? { password } : {}),
    };
    setBusy(true);
    setRefusal(undefined);
    createChannel(session.http, request).then(
      (channel) => onCreated(channel.id),
      (error: unknown) => {
        setBusy(false);
        setRefusal(conversationRefusal(error, i18n));
      },
    );
  };

  return (
    <form className="create-channel-form" onSubmit={submit} aria-busy={busy}>
      <div className="field">
        <label htmlFor={ids.name}>{i18n.t('convo.channels.name')}</label>
        <input
          id={ids.name}
          ref={nameField}
          required
          maxLength={100}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.description}>{i18n.t('convo.channels.description')}</label>
        <textarea
          id={ids.description}
          maxLength={2000}
          rows={2}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.scope}>{i18n.t('convo.channels.scope')}</label>
          <select
            id={ids.scope}
            value={scopeKind}
            onChange={(event) => setScopeKind(event.target.value as ChannelScopeKind)}
          >
            {SCOPE_CHOICES.map((kind) => (
              <option key={kind} value={kind}>
                {scopeName(kind, i18n)}
              </option>
            ))}
          </select>
        </div>
        {scoped && (
          <div className="field">
            <label htmlFor={ids.scopeId}>
              {scopeKind === 'country' ? i18n.t('convo.channels.country') : i18n.t('convo.channels.tig')}
            </label>
            <input
              id={ids.scopeId}
              required
              maxLength={64}
              value={scopeId}
              onChange={(event) => setScopeId(event.target.value)}
            />
          </div>
        )}
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
        </div>
      </div>
      <p id={ids.tlpHint} className="field-hint">
        {i18n.t('convo.tlpHint')}
      </p>
      <fieldset className="kind-choice">
        <legend>{i18n.t('convo.channels.joinMode')}</legend>
        {JOIN_MODE_CHOICES.map((mode) => (
          <label key={mode}>
            <input
              type="radio"
              name="join-mode"
              value={mode}
              checked={joinMode === mode}
              onChange={() => setJoinMode(mode)}
            />
            {i18n.t(JOIN_MODE_KEYS[mode])}
          </label>
        ))}
      </fieldset>
      {joinMode === 'password' && (
        <div className="field">
          <label htmlFor={ids.password}>{i18n.t('convo.channels.password')}</label>
          <input
            id={ids.password}
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={256}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
      )}
      <fieldset className="switches">
        <legend>{i18n.t('convo.channels.rules')}</legend>
        <label>
          <input type="checkbox" checked={listed} onChange={(event) => setListed(event.target.checked)} />
          {i18n.t('convo.channels.listed')}
        </label>
        <label>
          <input type="checkbox" checked={readOnly} onChange={(event) => setReadOnly(event.target.checked)} />
          {i18n.t('convo.channels.readOnly')}
        </label>
        <label>
          <input
            type="checkbox"
            checked={leaveAllowed}
            onChange={(event) => setLeaveAllowed(event.target.checked)}
          />
          {i18n.t('convo.channels.leaveAllowed')}
        </label>
      </fieldset>
      <Refused refusal={refusal} />
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          {i18n.t('convo.channels.backToDirectory')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? i18n.t('convo.channels.creating') : i18n.t('convo.channels.createSubmit')}
        </button>
      </div>
    </form>
  );
}
