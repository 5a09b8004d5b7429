import { useCallback, useEffect, useId, useState, type SyntheticEvent, type ReactNode } from 'react';
import type { ChannelScopeKind, ChannelSummary } from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import { SafeName } from '../ui/SafeName.js';
import { safeName } from '../ui/safe-name.js';
import { SCOPE_CHOICES, scopeName, tlpClass } from './choices.js';
import { conversationRefusal, type Refusal } from './conversation-errors.js';
import { joinChannel, listChannels } from './conversations-api.js';
import { CreateChannelForm } from './CreateChannelForm.js';
import { Dialog } from './Dialog.js';
import { pendingRequests, savePendingRequests } from './pending-requests.js';
import { Refused } from './Refused.js';

interface ChannelBrowserProps {
  readonly session: SecureSession;
  readonly ownUserId: string;
  readonly onClose: () => void;
  /** A channel to show: one just joined or created, or one the user is in already. */
  readonly onOpen: (conversationId: string) => void;
}

type Listing =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly refusal: Refusal }
  | {
      readonly status: 'ready';
      readonly channels: readonly ChannelSummary[];
      readonly nextCursor: string | null;
    };

/**
 * The channel directory: the listed channels the user may see (network-wide, per country, per TIG, ad hoc),
 * each with how one joins it — at once (open), by a request a manager approves (closed), or with its password —
 * and the form to open a new channel, which the server allows by role and scope.
 */
export function ChannelBrowser({ session, ownUserId, onClose, onOpen }: ChannelBrowserProps): ReactNode {
  const i18n = useI18n();
  const [creating, setCreating] = useState(false);
  return (
    <Dialog
      title={creating ? i18n.t('convo.channels.createHeading') : i18n.t('convo.channels.heading')}
      onClose={onClose}
      className="channel-browser"
    >
      {creating ? (
        <CreateChannelForm
          session={session}
          onCancel={() => {
            setCreating(false);
            // Back on the button that opened the form, as a dialog's close would do.
            requestAnimationFrame(() => document.querySelector<HTMLElement>('.create-channel')?.focus());
          }}
          onCreated={onOpen}
        />
      ) : (
        <ChannelDirectory
          session={session}
          ownUserId={ownUserId}
          onOpen={onOpen}
          onCreate={() => setCreating(true)}
        />
      )}
    </Dialog>
  );
}

interface ChannelDirectoryProps {
  readonly session: SecureSession;
  readonly ownUserId: string;
  readonly onOpen: (conversationId: string) => void;
  readonly onCreate: () => void;
}

function ChannelDirectory({ session, ownUserId, onOpen, onCreate }: ChannelDirectoryProps): ReactNode {
  const i18n = useI18n();
  const searchId = useId();
  const scopeId = useId();
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<ChannelScopeKind | ''>('');
  const [listing, setListing] = useState<Listing>({ status: 'loading' });
  const [pending, setPending] = useState<ReadonlySet<string>>(() => pendingRequests(ownUserId));
  const trimmed = query.trim();

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      listChannels(session.http, { q: trimmed, ...(scope === '' ? {} : { scopeKind: scope }) }).then(
        (page) => {
          if (!cancelled) setListing({ status: 'ready', ...page });
        },
        (error: unknown) => {
          if (!cancelled) setListing({ status: 'failed', refusal: conversationRefusal(error, i18n) });
        },
      );
    }, 200);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [session, trimmed, scope, i18n]);

  // A request that was approved meanwhile is no longer pending.
  useEffect(() => {
    if (listing.status !== 'ready') return;
    const joined = listing.channels.filter((c) => c.joined && pending.has(c.id));
    if (joined.length === 0) return;
    const next = new Set(pending);
    for (const c of joined) next.delete(c.id);
    savePendingRequests(ownUserId, next);
    setPending(next);
  }, [listing, pending, ownUserId]);

  const requested = useCallback(
    (channelId: string) => {
      setPending((current) => {
        const next = new Set(current).add(channelId);
        savePendingRequests(ownUserId, next);
        return next;
      });
    },
    [ownUserId],
  );

  const more = (): void => {
    if (listing.status !== 'ready' || listing.nextCursor === null) return;
    const cursor = listing.nextCursor;
    listChannels(session.http, { q: trimmed, cursor, ...(scope === '' ? {} : { scopeKind: scope }) }).then(
      (page) =>
        setListing((current) =>
          current.status === 'ready'
            ? {
                status: 'ready',
                channels: [...current.channels, ...page.channels],
                nextCursor: page.nextCursor,
              }
            : current,
        ),
      (error: unknown) => setListing({ status: 'failed', refusal: conversationRefusal(error, i18n) }),
    );
  };

  return (
    <div className="channel-directory">
      <div className="directory-filters">
        <div className="field">
          <label htmlFor={searchId}>{i18n.t('convo.channels.search')}</label>
          <input
            id={searchId}
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={scopeId}>{i18n.t('convo.channels.scopeFilter')}</label>
          <select
            id={scopeId}
            value={scope}
            onChange={(event) => setScope(event.target.value as ChannelScopeKind | '')}
          >
            <option value="">{i18n.t('convo.channels.allScopes')}</option>
            {SCOPE_CHOICES.map((kind) => (
              <option key={kind} value={kind}>
                {scopeName(kind, i18n)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="create-channel" onClick={onCreate}>
          {i18n.t('convo.channels.create')}
        </button>
      </div>
      <p className="visually-hidden" role="status">
        {listing.status === 'ready' && i18n.plural('convo.channels.count', listing.channels.length)}
      </p>
      {listing.status === 'loading' && <p className="list-status">{i18n.t('convo.channels.loading')}</p>}
      {listing.status === 'failed' && <Refused refusal={listing.refusal} />}
      {listing.status === 'ready' && listing.channels.length === 0 && (
        <p className="list-status">{i18n.t('convo.channels.empty')}</p>
      )}
      {listing.status === 'ready' && listing.channels.length > 0 && (
        <ul className="channel-list" aria-label={i18n.t('convo.channels.heading')}>
          {listing.channels.map((channel) => (
            <li key={channel.id}>
              <ChannelEntry
                session={session}
                channel={channel}
                pending={pending.has(channel.id)}
                onOpen={onOpen}
                onRequested={requested}
              />
            </li>
          ))}
        </ul>
      )}
      {listing.status === 'ready' && listing.nextCursor !== null && (
        <button type="button" className="load-older" onClick={more}>
          {i18n.t('convo.channels.more')}
        </button>
      )}
    </div>
  );
}

function joinModeName(channel: ChannelSummary, i18n: Translator): string {
  switch (channel.joinMode) {
    case 'open':
      return i18n.t('convo.join.open');
    case 'closed':
      return i18n.t('convo.join.closed');
    case 'password':
      return i18n.t('convo.join.password');
  }
}

interface ChannelEntryProps {
  readonly session: SecureSession;
  readonly channel: ChannelSummary;
  readonly pending: boolean;
  readonly onOpen: (conversationId: string) => void;
  readonly onRequested: (channelId: string) => void;
}

function ChannelEntry({ session, channel, pending, onOpen, onRequested }: ChannelEntryProps): ReactNode {
  const i18n = useI18n();
  const headingId = useId();
  const passwordId = useId();
  const [busy, setBusy] = useState(false);
  const [askingPassword, setAskingPassword] = useState(false);
  const [password, setPassword] = useState('');
  const [refusal, setRefusal] = useState<Refusal | undefined>(undefined);
  const name = safeName(channel.name).text;
  const scope =
    channel.scopeId === null
      ? scopeName(channel.scopeKind, i18n)
      : `${scopeName(channel.scopeKind, i18n)} ${channel.scopeId}`;

  const join = (withPassword?: string): void => {
    setBusy(true);
    setRefusal(undefined);
    joinChannel(session.http, channel.id, withPassword).then(
      (result) => {
        setBusy(false);
        if (result.joined) onOpen(channel.id);
        else if (result.requested) onRequested(channel.id);
      },
      (error: unknown) => {
        setBusy(false);
        setRefusal(conversationRefusal(error, i18n));
      },
    );
  };
  const submitPassword = (event: SyntheticEvent): void => {
    event.preventDefault();
    join(password);
  };

  return (
    <article className="channel-entry" aria-labelledby={headingId}>
      <h3 id={headingId} className="channel-name">
        <SafeName name={channel.name} />
      </h3>
      <p className="channel-facts">
        <span className={tlpClass(channel.tlp)}>TLP:{channel.tlp}</span>
        <span>{scope}</span>
        <span className="join-mode" data-mode={channel.joinMode}>
          {joinModeName(channel, i18n)}
        </span>
        <span>{i18n.plural('conversations.members', channel.memberCount)}</span>
      </p>
      {channel.description !== null && channel.description !== '' && (
        <p className="channel-description">{channel.description}</p>
      )}
      <div className="channel-actions">
        {channel.joined ? (
          <button type="button" onClick={() => onOpen(channel.id)}>
            {i18n.t('convo.join.openJoined')}
            <span className="visually-hidden"> {name}</span>
          </button>
        ) : channel.joinMode === 'open' ? (
          <button type="button" className="primary" disabled={busy} onClick={() => join()}>
            {i18n.t('convo.join.join')}
            <span className="visually-hidden"> {name}</span>
          </button>
        ) : channel.joinMode === 'closed' ? (
          pending ? (
            <>
              <p className="request-pending" role="status">
                {i18n.t('convo.join.pending')}
              </p>
              {/* This browser only remembers asking: a declined request looks the same, so asking again is offered. */}
              <button type="button" className="link-button" disabled={busy} onClick={() => join()}>
                {i18n.t('convo.join.askAgain')}
                <span className="visually-hidden"> {name}</span>
              </button>
            </>
          ) : (
            <button type="button" disabled={busy} onClick={() => join()}>
              {i18n.t('convo.join.request')}
              <span className="visually-hidden"> {name}</span>
            </button>
          )
        ) : askingPassword ? (
          <form className="password-join" onSubmit={submitPassword}>
            <label htmlFor={passwordId}>{i18n.t('convo.join.passwordLabel', { name })}</label>
            <input
              id={passwordId}
              type="password"
              autoComplete="off"
              required
              autoFocus
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <button type="submit" className="primary" disabled={busy}>
              {i18n.t('convo.join.join')}
              <span className="visually-hidden"> {name}</span>
            </button>
          </form>
        ) : (
          <button type="button" onClick={() => setAskingPassword(true)}>
            {i18n.t('convo.join.withPassword')}
            <span className="visually-hidden"> {name}</span>
          </button>
        )}
      </div>
      <Refused refusal={refusal} />
    </article>
  );
}
