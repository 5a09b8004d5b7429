import { useEffect, useId, useRef, useState, type SyntheticEvent, type ReactNode } from 'react';
import type { EnletsHttpClient, MeResponse } from '@enlets/client';
import { ROLES, SCOPED_ROLES, type MemberDetail, type MemberSummary, type Role } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import { countryName } from '../membership/country-names.js';
import { FormError } from '../membership/MembershipPage.js';
import { SafeName } from '../ui/SafeName.js';
import { canManageRoles, canRemoveMembers, canSuspendMembers } from './admin-access.js';
import {
  getMember,
  grantRole,
  reactivateMember,
  removeMember,
  revokeRole,
  suspendMember,
  type RoleChange,
} from './admin-api.js';
import { adminErrorMessage } from './admin-errors.js';
import { roleLabel } from './role-label.js';
import { StatusPill } from './StatusPill.js';
import { useFocusAfterRender } from './use-focus-after-render.js';
import { Announcement } from './SectionHeading.js';

const REASON_MIN = 5;
const REASON_MAX = 1000;

type Action = 'grant' | 'revoke' | 'suspend' | 'reactivate' | 'remove';

type Loaded =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'ready'; readonly member: MemberDetail };

interface MemberPanelProps {
  readonly http: EnletsHttpClient;
  readonly user: MeResponse;
  readonly memberId: string;
  readonly countries: readonly { readonly code: string; readonly name: string }[];
  readonly onChanged: (member: MemberSummary) => void;
  readonly onRemoved: (member: MemberSummary) => void;
  /** Back to the results (on a narrow screen they are hidden while a member is open). */
  readonly onBack: () => void;
}

/** One member: who they are, their roles (grant, revoke), and moderation (suspend, reactivate, remove). */
export function MemberPanel(props: MemberPanelProps): ReactNode {
  const { http, memberId } = props;
  const i18n = useI18n();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    getMember(http, memberId).then(
      (member) => {
        if (!cancelled) setLoaded({ status: 'ready', member });
      },
      (error: unknown) => {
        if (!cancelled) setLoaded({ status: 'failed', error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [http, memberId]);

  switch (loaded.status) {
    case 'loading':
      return (
        <p className="admin-status" role="status">
          {i18n.t('admin.member.loading')}
        </p>
      );
    case 'failed':
      return (
        <div className="admin-status">
          <p role="alert">{adminErrorMessage(loaded.error, i18n, 'admin.error.memberGone')}</p>
          <button type="button" className="link-button" onClick={props.onBack}>
            {i18n.t('admin.member.back')}
          </button>
        </div>
      );
    case 'ready':
      return (
        <MemberView
          {...props}
          member={loaded.member}
          onUpdated={(member) => {
            setLoaded({ status: 'ready', member });
            props.onChanged(member);
          }}
        />
      );
  }
}

function MemberView({
  http,
  user,
  member,
  countries,
  onUpdated,
  onRemoved,
  onBack,
}: MemberPanelProps & {
  readonly member: MemberDetail;
  readonly onUpdated: (member: MemberDetail) => void;
}): ReactNode {
  const i18n = useI18n();
  const ids = {
    heading: useId(),
    roles: useId(),
    grant: useId(),
    role: useId(),
    scope: useId(),
    grantError: useId(),
    moderation: useId(),
    reason: useId(),
    reasonHint: useId(),
    suspendError: useId(),
    removeHeading: useId(),
    removeReason: useId(),
    removeError: useId(),
  };
  const heading = useRef<HTMLHeadingElement>(null);
  const rolesHeading = useRef<HTMLHeadingElement>(null);
  const reactivateButton = useRef<HTMLButtonElement>(null);
  const reasonField = useRef<HTMLTextAreaElement>(null);
  const removeReasonField = useRef<HTMLTextAreaElement>(null);
  const removeOpener = useRef<HTMLButtonElement>(null);
  const focusNext = useFocusAfterRender();
  const [busy, setBusy] = useState<Action | undefined>(undefined);
  const [failure, setFailure] = useState<{ readonly action: Action; readonly error: unknown }>();
  const [announcement, setAnnouncement] = useState('');
  const [newRole, setNewRole] = useState<Role>('lea_member');
  const [scope, setScope] = useState('');
  const [reason, setReason] = useState('');
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  const [removeReason, setRemoveReason] = useState('');

  // Opening a member puts the reader at the top of their record.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  useEffect(() => {
    if (confirmingRemoval) removeReasonField.current?.focus();
  }, [confirmingRemoval]);

  const self = member.id === user.id;
  const manageRoles = canManageRoles(user);
  const moderate = canSuspendMembers(user) && !self;
  const remove = canRemoveMembers(user) && !self;
  const name = member.displayName;

  /** Runs one change; the member as the server answers is shown, and said, at once. */
  const run = async (
    action: Action,
    call: () => Promise<MemberDetail>,
    said: (changed: MemberDetail) => string,
    then?: (changed: MemberDetail) => void,
  ): Promise<void> => {
    setBusy(action);
    setFailure(undefined);
    setAnnouncement('');
    try {
      const changed = await call();
      setAnnouncement(said(changed));
      if (then !== undefined) then(changed);
      else onUpdated(changed);
    } catch (error) {
      setFailure({ action, error });
    } finally {
      setBusy(undefined);
    }
  };

  const grant = (event: SyntheticEvent): void => {
    event.preventDefault();
    const change: RoleChange = SCOPED_ROLES.has(newRole)
      ? { role: newRole, scope: scope.trim() }
      : { role: newRole };
    void run(
      'grant',
      () => grantRole(http, member.id, change),
      () => i18n.t('admin.member.granted', { role: roleLabel(change, i18n), name }),
    );
  };

  const revoke = (change: RoleChange): void => {
    void run(
      'revoke',
      () => revokeRole(http, member.id, change),
      () => i18n.t('admin.member.revoked', { role: roleLabel(change, i18n), name }),
      (changed) => {
        onUpdated(changed);
        // The button pressed is gone with the role: the reader continues at the list of roles.
        focusNext(rolesHeading);
      },
    );
  };

  const suspend = (event: SyntheticEvent): void => {
    event.preventDefault();
    void run(
      'suspend',
      () => suspendMember(http, member.id, reason),
      () => i18n.t('admin.member.suspended', { name }),
      (changed) => {
        onUpdated(changed);
        setReason('');
        focusNext(reactivateButton);
      },
    );
  };

  const reactivate = (): void => {
    void run(
      'reactivate',
      () => reactivateMember(http, member.id),
      () => i18n.t('admin.member.reactivated', { name }),
      (changed) => {
        onUpdated(changed);
        focusNext(reasonField);
      },
    );
  };

  const removeForGood = (event: SyntheticEvent): void => {
    event.preventDefault();
    void run(
      'remove',
      () => removeMember(http, member.id, removeReason),
      () => '',
      (changed) => onRemoved(changed),
    );
  };

  const cancelRemoval = (): void => {
    setConfirmingRemoval(false);
    setRemoveReason('');
    focusNext(removeOpener);
  };

  const errorOf = (action: Action): string | undefined => {
    if (failure?.action !== action) return undefined;
    const notFound = action === 'revoke' ? 'admin.error.roleNotHeld' : 'admin.error.memberGone';
    return adminErrorMessage(failure.error, i18n, notFound);
  };
  const grantError = errorOf('grant') ?? errorOf('revoke');
  const suspendError = errorOf('suspend') ?? errorOf('reactivate');
  const removeError = errorOf('remove');

  return (
    <article className="admin-member" aria-labelledby={ids.heading}>
      <button type="button" className="admin-back" onClick={onBack}>
        {i18n.t('admin.member.back')}
      </button>
      <h2 id={ids.heading} ref={heading} tabIndex={-1}>
        <SafeName name={name} />
      </h2>
      <Announcement text={announcement} />
      <dl className="admin-facts">
        <dt>{i18n.t('admin.members.status')}</dt>
        <dd>
          <StatusPill status={member.status} />
        </dd>
        {member.statusReason !== undefined && member.statusReason !== null && (
          <>
            <dt>{i18n.t('admin.member.statusReason')}</dt>
            <dd className="admin-text">{member.statusReason}</dd>
          </>
        )}
        {member.email !== undefined && (
          <>
            <dt>{i18n.t('admin.member.email')}</dt>
            <dd>{member.email}</dd>
          </>
        )}
        <dt>{i18n.t('admin.members.country')}</dt>
        <dd>{member.countryCode === null ? '—' : countryName(member.countryCode, i18n)}</dd>
        <dt>{i18n.t('admin.member.position')}</dt>
        <dd>{member.position ?? '—'}</dd>
        <dt>{i18n.t('admin.member.since')}</dt>
        <dd>{i18n.formatDateTime(member.createdAt)}</dd>
      </dl>

      <section className="admin-panel" aria-labelledby={ids.roles}>
        <h3 id={ids.roles} ref={rolesHeading} tabIndex={-1}>
          {i18n.t('admin.members.roles')}
        </h3>
        {member.roles.length === 0 ? (
          <p>{i18n.t('admin.member.noRoles')}</p>
        ) : (
          <ul className="admin-roles">
            {member.roles.map((g) => {
              const label = roleLabel(g, i18n);
              const ownAdmin = self && g.role === 'secretariat_admin';
              return (
                <li key={`${g.role}:${g.scope ?? ''}`}>
                  <span>{label}</span>
                  {manageRoles && !ownAdmin && (
                    <button
                      type="button"
                      aria-label={i18n.t('admin.member.revokeRole', { role: label })}
                      disabled={busy !== undefined}
                      onClick={() => revoke(g.scope === undefined ? { role: g.role } : g)}
                    >
                      {i18n.t('admin.member.revoke')}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {manageRoles && (
          <form
            className="admin-form admin-grant"
            aria-labelledby={ids.grant}
            aria-describedby={grantError === undefined ? undefined : ids.grantError}
            onSubmit={grant}
          >
            <h4 id={ids.grant}>{i18n.t('admin.member.grantHeading')}</h4>
            <div className="field">
              <label htmlFor={ids.role}>{i18n.t('admin.member.role')}</label>
              <select
                id={ids.role}
                value={newRole}
                onChange={(event) => {
                  const picked = ROLES.find((r) => r === event.target.value);
                  if (picked !== undefined) setNewRole(picked);
                  setScope('');
                }}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {i18n.t(`admin.role.${r}`)}
                  </option>
                ))}
              </select>
            </div>
            {newRole === 'ncp' && (
              <div className="field">
                <label htmlFor={ids.scope}>{i18n.t('admin.member.ncpCountry')}</label>
                <select
                  id={ids.scope}
                  required
                  value={scope}
                  onChange={(event) => setScope(event.target.value)}
                >
                  <option value="">{i18n.t('admin.member.pickCountry')}</option>
                  {countries.map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </div>
            )}
            {newRole === 'tig_lead' && (
              <div className="field">
                <label htmlFor={ids.scope}>{i18n.t('admin.member.tigId')}</label>
                <input
                  id={ids.scope}
                  required
                  maxLength={64}
                  value={scope}
                  onChange={(event) => setScope(event.target.value)}
                />
              </div>
            )}
            <FormError id={ids.grantError} text={grantError} />
            <button type="submit" className="primary" disabled={busy !== undefined}>
              {busy === 'grant' ? i18n.t('admin.member.granting') : i18n.t('admin.member.grant')}
            </button>
          </form>
        )}
      </section>

      {moderate && (
        <section className="admin-panel" aria-labelledby={ids.moderation}>
          <h3 id={ids.moderation}>{i18n.t('admin.member.moderation')}</h3>
          {member.status === 'suspended' ? (
            <div className="admin-form">
              <p>{i18n.t('admin.member.reactivateHint')}</p>
              <FormError id={ids.suspendError} text={suspendError} />
              <button
                type="button"
                ref={reactivateButton}
                className="primary"
                disabled={busy !== undefined}
                onClick={reactivate}
              >
                {busy === 'reactivate'
                  ? i18n.t('admin.member.reactivating')
                  : i18n.t('admin.member.reactivate')}
              </button>
            </div>
          ) : (
            <form
              className="admin-form"
              aria-label={i18n.t('admin.member.suspend')}
              aria-describedby={suspendError === undefined ? undefined : ids.suspendError}
              onSubmit={suspend}
            >
              <div className="field">
                <label htmlFor={ids.reason}>{i18n.t('admin.member.suspendReason')}</label>
                <textarea
                  id={ids.reason}
                  ref={reasonField}
                  rows={2}
                  required
                  minLength={REASON_MIN}
                  maxLength={REASON_MAX}
                  aria-describedby={ids.reasonHint}
                  value={reason}
                  onChange={(event) => setReason(event.target.value)}
                />
                <p id={ids.reasonHint} className="field-hint">
                  {i18n.t('admin.member.reasonHint', { min: REASON_MIN })}
                </p>
              </div>
              <FormError id={ids.suspendError} text={suspendError} />
              <button type="submit" className="danger" disabled={busy !== undefined}>
                {busy === 'suspend' ? i18n.t('admin.member.suspending') : i18n.t('admin.member.suspend')}
              </button>
            </form>
          )}
        </section>
      )}

      {remove &&
        (confirmingRemoval ? (
          <form
            className="admin-panel admin-form admin-danger-zone"
            aria-labelledby={ids.removeHeading}
            aria-describedby={removeError === undefined ? undefined : ids.removeError}
            onSubmit={removeForGood}
          >
            <h3 id={ids.removeHeading}>{i18n.t('admin.member.removeConfirmHeading')}</h3>
            <p>{i18n.t('admin.member.removeWarning')}</p>
            <div className="field">
              <label htmlFor={ids.removeReason}>{i18n.t('admin.member.removeReason')}</label>
              <textarea
                id={ids.removeReason}
                ref={removeReasonField}
                rows={2}
                required
                minLength={REASON_MIN}
                maxLength={REASON_MAX}
                value={removeReason}
                onChange={(event) => setRemoveReason(event.target.value)}
              />
            </div>
            <FormError id={ids.removeError} text={removeError} />
            <div className="admin-actions">
              <button type="submit" className="danger" disabled={busy !== undefined}>
                {busy === 'remove' ? i18n.t('admin.member.removing') : i18n.t('admin.member.removeForGood')}
              </button>
              <button type="button" onClick={cancelRemoval} disabled={busy !== undefined}>
                {i18n.t('admin.cancel')}
              </button>
            </div>
          </form>
        ) : (
          <div className="admin-panel">
            <button
              type="button"
              ref={removeOpener}
              className="danger"
              onClick={() => setConfirmingRemoval(true)}
            >
              {i18n.t('admin.member.remove')}
            </button>
          </div>
        ))}
      {self && <p className="field-hint">{i18n.t('admin.member.selfHint')}</p>}
    </article>
  );
}
