import type { ReactNode } from 'react';
import type { ConversationKind } from '@enlets/protocol';
import { useI18n } from '../i18n/I18nProvider.js';
import '../styles/broadcasts.css';

/** A loudspeaker, drawn like the icons of ui/icons.tsx: decorative, the label beside it says what it means. */
const LOUDSPEAKER = 'M3 10v4h3l6 4V6L6 10z M16 9a4 4 0 0 1 0 6 M19 6a8 8 0 0 1 0 12';

/** Marks a broadcast in the conversation list (nothing for other kinds): the icon and the word, both visible. */
export function BroadcastMarker({ kind }: { readonly kind: ConversationKind }): ReactNode {
  const i18n = useI18n();
  if (kind !== 'broadcast') return null;
  return (
    <span className="marker marker-broadcast">
      <svg className="icon icon-broadcast" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path d={LOUDSPEAKER} />
      </svg>
      <span className="marker-broadcast-label">{i18n.t('broadcasts.label')}</span>
    </span>
  );
}
