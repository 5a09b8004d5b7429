import { useCallback, useEffect, useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import type { EnletsHttpClient, MeResponse } from '@enlets/client';
import type { PasskeyInfo } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import '../styles/passkeys.css';
import { ConfirmStep } from '../ui/ConfirmStep.js';
import { Field } from '../ui/Field.js';
import { SafeName } from '../ui/SafeName.js';
import { safeName } from '../ui/safe-name.js';
import {
  addPasskey,
  listPasskeys,
  passkeyErrorMessage,
  passkeysSupported,
  removePasskey,
} from './passkeys-api.js';

type ListState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly message: string }
  | { readonly status: 'ready'; readonly passkeys: readonly PasskeyInfo[] };

type Outcome = { readonly kind: 'done' | 'error'; readonly text: string } | undefined;

const HEADING_ID = 'passkeys-heading';
const ADD_BUTTON_ID = 'passkeys-add';

/**
 * The account's passkeys: add one (after confirming the password, and the TOTP code when two-factor
 * authentication is on), see each with when it was added and last used, remove one with a confirmation step.
 */
export function PasskeysSection({
  http,
  user,
}: {
  readonly http: EnletsHttpClient;
  readonly user: MeResponse;
}): ReactNode {
  const i18n = useI18n();
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [adding, setAdding] = useState(false);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);

  const reload = useCallback(async () => {
    try {
      setState({ status: 'ready', passkeys: await listPasskeys(http) });
    } catch (error) {
      setState({ status: 'failed', message: passkeyErrorMessage(error, i18n) });
    }
  }, [http, i18n]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const added = async (passkey: PasskeyInfo): Promise<void> => {
    setAdding(false);
    setOutcome({ kind: 'done', text: i18n.t('passkeys.added', { name: safeName(passkey.name).text }) });
    await reload();
    heading.current?.focus();
  };
  const cancelAdding = (): void => {
    setAdding(false);
    requestAnimationFrame(() => document.getElementById(ADD_BUTTON_ID)?.focus());
  };
  const remove = async (passkey: PasskeyInfo): Promise<void> => {
    setBusy(true);
    try {
      await removePasskey(http, passkey.id);
      setOutcome({ kind: 'done', text: i18n.t('passkeys.removed', { name: safeName(passkey.name).text }) });
      await reload();
    } catch (error) {
      setOutcome({ kind: 'error', text: passkeyErrorMessage(error, i18n) });
    } finally {
      setBusy(false);
      setConfirming(undefined);
      // The row that had focus is gone: back to the section, where the outcome is announced.
      heading.current?.focus();
    }
  };
  const cancelRemoving = (id: string): void => {
    setConfirming(undefined);
    requestAnimationFrame(() => document.getElementById(removeButtonId(id))?.focus());
  };

  return (
    <section className="account-section passkeys" aria-labelledby={HEADING_ID}>
      <h2 id={HEADING_ID} ref={heading} tabIndex={-1}>
        {i18n.t('passkeys.heading')}
      </h2>
      <p className="account-hint">{i18n.t('passkeys.intro')}</p>
      <p role="status" className={outcome?.kind === 'error' ? 'account-error' : 'account-done'}>
        {outcome?.text}
      </p>
      {state.status === 'loading' && <p>{i18n.t('app.loading')}</p>}
      {state.status === 'failed' && <p role="alert">{state.message}</p>}
      {state.status === 'ready' &&
        (state.passkeys.length === 0 ? (
          <p>{i18n.t('passkeys.empty')}</p>
        ) : (
          <ul className="account-list">
            {state.passkeys.map((passkey) => (
              <li key={passkey.id} className="account-item">
                <div className="account-item-main">
                  <p className="account-item-title">
                    <span>
                      <SafeName name={passkey.name} />
                    </span>
                    {passkey.synced && <span className="account-badge">{i18n.t('passkeys.synced')}</span>}
                    {passkey.cloneSuspectedAt !== null && (
                      <span className="passkey-blocked">{i18n.t('passkeys.blocked')}</span>
                    )}
                  </p>
                  <dl className="account-facts">
                    <dt>{i18n.t('passkeys.createdAt')}</dt>
                    <dd>{i18n.formatDateTime(passkey.createdAt)}</dd>
                    <dt>{i18n.t('passkeys.lastUsed')}</dt>
                    <dd>
                      {passkey.lastUsedAt === null
                        ? i18n.t('passkeys.neverUsed')
                        : i18n.formatDateTime(passkey.lastUsedAt)}
                    </dd>
                  </dl>
                </div>
                {confirming === passkey.id ? (
                  <ConfirmStep
                    question={i18n.t('passkeys.confirmRemove', { name: safeName(passkey.name).text })}
                    confirmLabel={i18n.t('passkeys.confirmYes')}
                    cancelLabel={i18n.t('passkeys.cancel')}
                    busy={busy}
                    onConfirm={() => void remove(passkey)}
                    onCancel={() => cancelRemoving(passkey.id)}
                  />
                ) : (
                  <button
                    type="button"
                    id={removeButtonId(passkey.id)}
                    onClick={() => setConfirming(passkey.id)}
                  >
                    {i18n.t('passkeys.remove')}
                    <span className="visually-hidden"> {safeName(passkey.name).text}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        ))}
      {adding ? (
        <AddPasskeyForm http={http} totpEnabled={user.totpEnabled} onAdded={added} onCancel={cancelAdding} />
      ) : (
        passkeysSupported() && (
          <button
            type="button"
            id={ADD_BUTTON_ID}
            onClick={() => {
              setOutcome(undefined);
              setAdding(true);
            }}
          >
            {i18n.t('passkeys.add')}
          </button>
        )
      )}
    </section>
  );
}

function removeButtonId(passkeyId: string): string {
  return `remove-passkey-${passkeyId}`;
}

/** Re-authentication and a name, then the browser's own prompt creates the passkey. */
function AddPasskeyForm({
  http,
  totpEnabled,
  onAdded,
  onCancel,
}: {
  readonly http: EnletsHttpClient;
  readonly totpEnabled: boolean;
  readonly onAdded: (passkey: PasskeyInfo) => Promise<void>;
  readonly onCancel: () => void;
}): ReactNode {
  const i18n = useI18n();
  const headingId = useId();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  const errorLine = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const passkey = await addPasskey(http, {
        name,
        currentPassword: password,
        ...(totpEnabled ? { code } : {}),
      });
      await onAdded(passkey);
    } catch (caught) {
      setError(passkeyErrorMessage(caught, i18n));
      setBusy(false);
      requestAnimationFrame(() => errorLine.current?.focus());
    }
  };

  return (
    <form
      className="account-form passkey-add"
      aria-labelledby={headingId}
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !busy) onCancel();
      }}
    >
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {i18n.t('passkeys.addHeading')}
      </h3>
      <p className="account-hint">{i18n.t('passkeys.addIntro')}</p>
      <Field className="account-field" label={i18n.t('passkeys.name')} hint={i18n.t('passkeys.nameHint')}>
        {(control) => (
          <input
            {...control}
            value={name}
            required
            maxLength={64}
            autoComplete="off"
            onChange={(event) => setName(event.target.value)}
          />
        )}
      </Field>
      <Field className="account-field" label={i18n.t('passkeys.currentPassword')}>
        {(control) => (
          <input
            {...control}
            type="password"
            value={password}
            required
            autoComplete="current-password"
            onChange={(event) => setPassword(event.target.value)}
          />
        )}
      </Field>
      {totpEnabled && (
        <Field className="account-field" label={i18n.t('passkeys.code')} hint={i18n.t('passkeys.codeHint')}>
          {(control) => (
            <input
              {...control}
              value={code}
              required
              autoComplete="one-time-code"
              spellCheck={false}
              onChange={(event) => setCode(event.target.value)}
            />
          )}
        </Field>
      )}
      {error !== undefined && (
        <p ref={errorLine} className="account-error" role="alert" tabIndex={-1}>
          {error}
        </p>
      )}
      <div className="passkey-actions">
        <button type="submit" className="primary" disabled={busy || name.trim() === '' || password === ''}>
          {busy ? i18n.t('passkeys.creating') : i18n.t('passkeys.create')}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          {i18n.t('passkeys.cancel')}
        </button>
      </div>
    </form>
  );
}
