import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { MeResponse } from '@enlets/client';
import { navigate, Link } from '../app/navigation.js';
import { adminPath, PATHS } from '../app/routes.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { cookieHttpClient } from '../session/cookie-session.js';
import { LanguagePicker } from '../ui/LanguagePicker.js';
import '../styles/admin.css';
import { allowedSections, isAdminSection, type AdminSection } from './admin-access.js';
import { ApplicationsSection } from './ApplicationsSection.js';
import { AuditSection } from './AuditSection.js';
import { MailSection } from './MailSection.js';
import { MembersSection } from './MembersSection.js';

/**
 * The Secretariat's admin console (issue 5), at `/admin/<section>`: members (search, roles, suspension,
 * removal), applications (a summary; deciding them is the vetting queue's job), the audit log with the state of
 * its hash chain, and the outgoing mail queue. An NCP sees the sections of their own scope; anyone else a
 * plain refusal. The server checks every call regardless: hiding a section here is a courtesy, not security.
 */
export function AdminConsole({
  user,
  section,
}: {
  readonly user: MeResponse;
  readonly section: string | undefined;
}): ReactNode {
  const i18n = useI18n();
  const http = useMemo(() => cookieHttpClient(), []);
  const allowed = allowedSections(user);
  const current = section === undefined ? allowed[0] : section;

  let content: ReactNode;
  if (allowed.length === 0 || current === undefined) {
    content = <Refusal heading={i18n.t('admin.notAllowed.heading')} text={i18n.t('admin.notAllowed.text')} />;
  } else if (!isAdminSection(current)) {
    content = <Refusal heading={i18n.t('admin.unknown.heading')} text={i18n.t('admin.unknown.text')} />;
  } else if (!allowed.includes(current)) {
    content = (
      <Refusal heading={i18n.t('admin.notAllowed.heading')} text={i18n.t('admin.notAllowed.section')} />
    );
  } else {
    content = <Section key={current} section={current} user={user} http={http} />;
  }

  return (
    <div className="admin">
      <header className="topbar">
        <p className="app-name">{i18n.t('app.name')}</p>
        <div className="topbar-actions">
          <Link to={PATHS.home} className="topbar-link">
            {i18n.t('admin.toMessenger')}
          </Link>
          <LanguagePicker />
        </div>
      </header>
      <div className="admin-body">
        {allowed.length > 0 && (
          <nav className="admin-nav" aria-label={i18n.t('admin.nav.label')}>
            <ul>
              {allowed.map((s) => (
                <li key={s}>
                  <SectionLink section={s} current={s === current} />
                </li>
              ))}
            </ul>
          </nav>
        )}
        <main className="admin-main">{content}</main>
      </div>
    </div>
  );
}

function Section({
  section,
  user,
  http,
}: {
  readonly section: AdminSection;
  readonly user: MeResponse;
  readonly http: ReturnType<typeof cookieHttpClient>;
}): ReactNode {
  switch (section) {
    case 'members':
      return <MembersSection http={http} user={user} />;
    case 'applications':
      return <ApplicationsSection http={http} />;
    case 'audit':
      return <AuditSection http={http} />;
    case 'mail':
      return <MailSection http={http} />;
  }
}

function SectionLink({
  section,
  current,
}: {
  readonly section: AdminSection;
  readonly current: boolean;
}): ReactNode {
  const i18n = useI18n();
  const path = adminPath(section);
  return (
    <a
      href={path}
      className="admin-nav-link"
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(path);
      }}
    >
      {i18n.t(`admin.nav.${section}`)}
    </a>
  );
}

/** Not for this account (or no such section): said plainly, with the way back. */
function Refusal({ heading, text }: { readonly heading: string; readonly text: string }): ReactNode {
  const i18n = useI18n();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    title.current?.focus();
  }, []);
  return (
    <section className="admin-refusal" aria-labelledby="admin-refusal-heading">
      <h1 id="admin-refusal-heading" ref={title} tabIndex={-1}>
        {heading}
      </h1>
      <p>{text}</p>
      <Link to={PATHS.home} className="topbar-link">
        {i18n.t('admin.toMessenger')}
      </Link>
    </section>
  );
}
