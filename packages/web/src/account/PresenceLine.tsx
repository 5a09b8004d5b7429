import type { ReactNode } from 'react';
import type { Presence } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { AVAILABILITY_LABELS } from './availability.js';

/** "Busy · In a briefing": a contact's availability and status text; nothing when not known. */
export function PresenceLine({ presence }: { readonly presence: Presence | undefined }): ReactNode {
  const i18n = useI18n();
  if (presence === undefined) return null;
  return (
    <span className={`presence-line presence-${presence.availability}`}>
      <span className="presence-dot" aria-hidden="true" />
      <span>{i18n.t(AVAILABILITY_LABELS[presence.availability])}</span>
      {presence.text !== null && presence.text !== '' && (
        <>
          <span aria-hidden="true"> · </span>
          <bdi className="presence-text">{presence.text}</bdi>
        </>
      )}
    </span>
  );
}
