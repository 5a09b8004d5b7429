import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import type {
  AssignableMemberRole,
  ChannelDetails,
  ChannelJoinRequest,
  ConversationDetail,
  ConversationMember,
  ConversationSummary,
} from '@enlets/protocol';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import { SafeName } from '../ui/SafeName.js';
import { safeName } from '../ui/safe-name.js';
import { isManagerRole, ROLE_CHOICES } from './choices.js';
import { announceConversationsChanged } from './conversation-changes.js';
import { conversationRefusal, type Refusal } from './conversation-errors.js';
import {
  addMembers,
  channelDetails,
  conversationDetail,
  decideJoinRequest,
  joinRequests,
  leave,
  removeMember,
  setHistoryForNewcomers,
  setMemberRole,
  updateMyFlags,
  type DirectoryMember,
} from './conversations-api.js';
import { Dialog } from './Dialog.js';
import { MemberSearch } from './MemberSearch.js';
import { Refused } from './Refused.js';
import '../styles/conversations.css';

interface ConversationSettingsButtonProps {
  readonly session: SecureSession;
  readonly conversation: ConversationSummary;
  readonly title: string;
  readonly ownUserId: string;
  /** The user left the conversation: the messenger goes back to the list. */
  readonly onLeft: () => void;
}

/** The chat header's settings button and the dialog it opens. */
export function ConversationSettingsButton(props: ConversationSettingsButtonProps): ReactNode {
  const i18n = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="settings-button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <span aria-hidden="true">⚙</span>
        <span className="visually-hidden">{i18n.t('convo.settings.open', { name: props.title })}</span>
      </button>
      {open && <ConversationSettings {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

interface Loaded {
  readonly detail: ConversationDetail;
  readonly channel: ChannelDetails | undefined;
  readonly requests: readonly ChannelJoinRequest[];
}

/**
 * Everything about the open conversation beyond its messages: the members and their roles; for its managers,
 * adding and removing people, roles, requests to join and whether newcomers get earlier messages; for
 * everyone, their own favourite/muted/archived flags and leaving.
 */
function ConversationSettings({
  session,
  conversation,
  title,
  ownUserId,
  onLeft,
  onClose,
}: ConversationSettingsButtonProps & { readonly onClose: () => void }): ReactNode {
  const i18n = useI18n();
  const { id, kind } = conversation;
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [refusal, setRefusal] = useState<Refusal | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let cancelled = false;
    const load = async (): Promise<Loaded> => {
      const detail = await conversationDetail(session.http, id);
      const channel = kind === 'channel' ? await channelDetails(session.http, id) : undefined;
      const requests =
        kind === 'channel' && isManagerRole(detail.role) ? await joinRequests(session.http, id) : [];
      return { detail, channel, requests };
    };
    load().then(
      (result) => {
        if (!cancelled) setLoaded(result);
      },
      (error: unknown) => {
        if (!cancelled) setRefusal(conversationRefusal(error, i18n));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session, id, kind, generation, i18n]);

  // Membership and settings change as system events: what is shown follows them.
  useEffect(
    () =>
      session.on('event', ({ event }) => {
        if (event.conversationId === id && event.kind === 'system') refresh();
      }),
    [session, id, refresh],
  );

  /** Runs a change, shows the server's refusal if any, and reloads what is shown. */
  const act = useCallback(
    async (change: () => Promise<unknown>, done?: string): Promise<boolean> => {
      setRefusal(undefined);
      setNotice('');
      try {
        await change();
        if (done !== undefined) setNotice(done);
        return true;
      } catch (error) {
        setRefusal(conversationRefusal(error, i18n));
        return false;
      } finally {
        refresh();
      }
    },
    [i18n, refresh],
  );

  const detail = loaded?.detail;
  const manager = detail !== undefined && isManagerRole(detail.role);

  /**
   * ADR 0016: with history for newcomers on, whoever brings someone in (adding them, approving their request)
   * shares what their device can read — an explicit step the server records. Off, nothing is sent.
   */
  const historyOn = detail?.historyForNewcomers === 'on';
  const shareIfOn = useCallback(
    (userId: string, name: string): void => {
      if (!historyOn) return;
      setNotice(i18n.t('convo.history.sharing', { name }));
      session.shareHistory(id, userId).then(
        (shared) =>
          setNotice(
            shared === null
              ? i18n.t('convo.history.nothingToShare', { name })
              : i18n.plural('convo.history.shared', shared.shared, { name }),
          ),
        (error: unknown) => {
          setNotice('');
          setRefusal(conversationRefusal(error, i18n));
        },
      );
    },
    [historyOn, session, id, i18n],
  );
  return (
    <Dialog
      title={
        <>
          {i18n.t('convo.settings.heading')}: <SafeName name={title} />
        </>
      }
      onClose={onClose}
      className="conversation-settings"
    >
      <p className={notice === '' ? 'visually-hidden' : 'convo-notice'} role="status">
        {notice}
      </p>
      <Refused refusal={refusal} />
      {detail === undefined ? (
        refusal === undefined && <p className="list-status">{i18n.t('convo.settings.loading')}</p>
      ) : (
        <>
          {manager && loaded !== undefined && loaded.requests.length > 0 && (
            <JoinRequests
              session={session}
              conversationId={id}
              requests={loaded.requests}
              act={act}
              onJoined={shareIfOn}
            />
          )}
          <MyFlags session={session} conversation={conversation} act={act} />
          {(kind === 'group' || kind === 'channel') && (
            <HistorySetting session={session} detail={detail} manager={manager} act={act} />
          )}
          <Members
            session={session}
            detail={detail}
            ownUserId={ownUserId}
            manager={manager}
            act={act}
            onAdded={shareIfOn}
          />
          {kind !== 'direct' && (
            <LeaveSection
              leaveAllowed={manager || (loaded?.channel?.leaveAllowed ?? true)}
              onLeave={() => {
                void act(() => leave(session.http, kind, id)).then((left) => {
                  if (!left) return;
                  announceConversationsChanged(session);
                  onClose();
                  onLeft();
                });
              }}
            />
          )}
        </>
      )}
    </Dialog>
  );
}

type Act = (change: () => Promise<unknown>, done?: string) => Promise<boolean>;

/** The user's own flags; the list shows them as markers and files archived conversations apart. */
function MyFlags({
  session,
  conversation,
  act,
}: {
  readonly session: SecureSession;
  readonly conversation: ConversationSummary;
  readonly act: Act;
}): ReactNode {
  const i18n = useI18n();
  const [flags, setFlags] = useState({
    favourite: conversation.favourite,
    muted: conversation.muted,
    archived: conversation.archived,
  });
  const toggle = (flag: keyof typeof flags, value: boolean): void => {
    setFlags((current) => ({ ...current, [flag]: value }));
    void act(() => updateMyFlags(session.http, conversation.id, { [flag]: value })).then((ok) => {
      if (ok) announceConversationsChanged(session);
      else setFlags((current) => ({ ...current, [flag]: !value }));
    });
  };
  const labels = {
    favourite: i18n.t('convo.settings.favourite'),
    muted: i18n.t('convo.settings.muted'),
    archived: i18n.t('convo.settings.archived'),
  } as const;
  return (
    <fieldset className="dialog-section switches">
      <legend>{i18n.t('convo.settings.mine')}</legend>
      {(['favourite', 'muted', 'archived'] as const).map((flag) => (
        <label key={flag}>
          <input
            type="checkbox"
            checked={flags[flag]}
            onChange={(event) => toggle(flag, event.target.checked)}
          />
          {labels[flag]}
        </label>
      ))}
    </fieldset>
  );
}

/** ADR 0016: off by default; on, newcomers get an explicit, audited copy of earlier messages. */
function HistorySetting({
  session,
  detail,
  manager,
  act,
}: {
  readonly session: SecureSession;
  readonly detail: ConversationDetail;
  readonly manager: boolean;
  readonly act: Act;
}): ReactNode {
  const i18n = useI18n();
  const explanationId = useId();
  // What the person chose shows at once; the server's answer (the reloaded detail) then confirms or reverts it.
  const [chosen, setChosen] = useState<boolean | undefined>(undefined);
  const stored = detail.historyForNewcomers;
  useEffect(() => setChosen(undefined), [stored]);
  const on = chosen ?? stored === 'on';
  return (
    <section className="dialog-section" aria-labelledby={`${explanationId}-h`}>
      <h3 id={`${explanationId}-h`}>{i18n.t('convo.history.heading')}</h3>
      <p id={explanationId} className="field-hint">
        {i18n.t('convo.history.explanation')}
      </p>
      {manager ? (
        <label className="switch-row">
          <input
            type="checkbox"
            checked={on}
            aria-describedby={explanationId}
            onChange={(event) => {
              const value = event.target.checked ? 'on' : 'off';
              setChosen(event.target.checked);
              void act(
                () => setHistoryForNewcomers(session.http, detail.id, value),
                i18n.t(value === 'on' ? 'convo.history.turnedOn' : 'convo.history.turnedOff'),
              ).then((ok) => {
                if (!ok) setChosen(undefined);
              });
            }}
          />
          {i18n.t('convo.history.toggle')}
        </label>
      ) : (
        <p>{i18n.t(on ? 'convo.history.isOn' : 'convo.history.isOff')}</p>
      )}
    </section>
  );
}

function JoinRequests({
  session,
  conversationId,
  requests,
  act,
  onJoined,
}: {
  readonly session: SecureSession;
  readonly conversationId: string;
  readonly requests: readonly ChannelJoinRequest[];
  readonly act: Act;
  readonly onJoined: (userId: string, name: string) => void;
}): ReactNode {
  const i18n = useI18n();
  const headingId = useId();
  return (
    <section className="dialog-section" aria-labelledby={headingId}>
      <h3 id={headingId}>{i18n.plural('convo.requests.heading', requests.length)}</h3>
      <ul className="member-results">
        {requests.map((request) => {
          const name = safeName(request.displayName).text;
          const decide = (approve: boolean): void => {
            void act(
              () => decideJoinRequest(session.http, conversationId, request.userId, approve),
              i18n.t(approve ? 'convo.requests.approved' : 'convo.requests.declined', { name }),
            ).then((done) => {
              if (done && approve) onJoined(request.userId, name);
            });
          };
          return (
            <li key={request.userId} className="member-row">
              <span className="member-name">
                <SafeName name={request.displayName} />
                <span className="member-role"> · {i18n.formatRecent(request.requestedAt)}</span>
              </span>
              <span className="member-actions">
                <button type="button" className="primary" onClick={() => decide(true)}>
                  {i18n.t('convo.requests.approve')}
                  <span className="visually-hidden"> {name}</span>
                </button>
                <button type="button" onClick={() => decide(false)}>
                  {i18n.t('convo.requests.decline')}
                  <span className="visually-hidden"> {name}</span>
                </button>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function roleName(role: ConversationMember['role'], i18n: Translator): string {
  switch (role) {
    case 'owner':
      return i18n.t('convo.role.owner');
    case 'manager':
      return i18n.t('convo.role.manager');
    case 'moderator':
      return i18n.t('convo.role.moderator');
    case 'member':
      return i18n.t('convo.role.member');
  }
}

interface MembersProps {
  readonly session: SecureSession;
  readonly detail: ConversationDetail;
  readonly ownUserId: string;
  readonly manager: boolean;
  readonly act: Act;
  /** Someone was added: their history share, if the setting is on. */
  readonly onAdded: (userId: string, name: string) => void;
}

function Members({ session, detail, ownUserId, manager, act, onAdded }: MembersProps): ReactNode {
  const i18n = useI18n();
  const headingId = useId();
  const { kind } = detail;
  const members = new Set(detail.members.map((m) => m.userId as string));
  // Any member of a group may add people; in channels and broadcasts only its managers.
  const mayAdd = kind !== 'direct' && (manager || kind === 'group');

  const add = (member: DirectoryMember): void => {
    const name = safeName(member.displayName).text;
    void act(
      () => addMembers(session.http, kind, detail.id, [member.id]),
      i18n.t('convo.members.added', { name }),
    ).then((added) => {
      if (added) onAdded(member.id, name);
    });
  };

  return (
    <section className="dialog-section" aria-labelledby={headingId}>
      <h3 id={headingId}>{i18n.plural('conversations.members', detail.members.length)}</h3>
      <ul className="member-results member-list">
        {detail.members.map((member) => (
          <MemberRow
            key={member.userId}
            session={session}
            detail={detail}
            member={member}
            own={member.userId === ownUserId}
            manager={manager}
            act={act}
          />
        ))}
      </ul>
      {mayAdd && (
        <div className="add-members">
          <h4>{i18n.t('convo.members.addHeading')}</h4>
          <MemberSearch
            session={session}
            ownUserId={ownUserId}
            actionLabel={i18n.t('convo.add')}
            exclude={members}
            onChoose={add}
          />
        </div>
      )}
    </section>
  );
}

function MemberRow({
  session,
  detail,
  member,
  own,
  manager,
  act,
}: {
  readonly session: SecureSession;
  readonly detail: ConversationDetail;
  readonly member: ConversationMember;
  readonly own: boolean;
  readonly manager: boolean;
  readonly act: Act;
}): ReactNode {
  const i18n = useI18n();
  const roleId = useId();
  const name = safeName(member.displayName).text;
  const manageable = manager && !own && member.role !== 'owner' && detail.kind !== 'direct';
  return (
    <li className="member-row">
      <span className="member-name">
        <SafeName name={member.displayName} />
        {own && <span className="member-role"> ({i18n.t('chat.you')})</span>}
        {!manageable && <span className="member-role"> · {roleName(member.role, i18n)}</span>}
      </span>
      {manageable && (
        <span className="member-actions">
          <label htmlFor={roleId} className="visually-hidden">
            {i18n.t('convo.members.roleOf', { name })}
          </label>
          <select
            id={roleId}
            value={member.role}
            onChange={(event) => {
              const role = event.target.value as AssignableMemberRole;
              void act(
                () => setMemberRole(session.http, detail.kind, detail.id, member.userId, role),
                i18n.t('convo.members.roleChanged', { name, role: roleName(role, i18n) }),
              );
            }}
          >
            {ROLE_CHOICES.map((role) => (
              <option key={role} value={role}>
                {roleName(role, i18n)}
              </option>
            ))}
          </select>
          <button
            type="button"
            onClick={() =>
              void act(
                () => removeMember(session.http, detail.kind, detail.id, member.userId),
                i18n.t('convo.members.removed', { name }),
              )
            }
          >
            {i18n.t('convo.remove')}
            <span className="visually-hidden"> {name}</span>
          </button>
        </span>
      )}
    </li>
  );
}

function LeaveSection({
  leaveAllowed,
  onLeave,
}: {
  readonly leaveAllowed: boolean;
  readonly onLeave: () => void;
}): ReactNode {
  const i18n = useI18n();
  const [confirming, setConfirming] = useState(false);
  if (!leaveAllowed) {
    return (
      <section className="dialog-section">
        <p>{i18n.t('convo.leave.forbidden')}</p>
      </section>
    );
  }
  return (
    <section className="dialog-section leave-section">
      {confirming ? (
        <div role="group" aria-label={i18n.t('convo.leave.confirm')}>
          <p>{i18n.t('convo.leave.confirm')}</p>
          <div className="dialog-actions">
            <button type="button" onClick={() => setConfirming(false)}>
              {i18n.t('chat.cancel')}
            </button>
            <button type="button" className="danger" autoFocus onClick={onLeave}>
              {i18n.t('convo.leave.confirmButton')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          {i18n.t('convo.leave.button')}
        </button>
      )}
    </section>
  );
}
