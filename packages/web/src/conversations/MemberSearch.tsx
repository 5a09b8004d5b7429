import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { SecureSession } from '../e2ee/secure-session.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SafeName } from '../ui/SafeName.js';
import { safeName } from '../ui/safe-name.js';
import { conversationRefusal, type Refusal } from './conversation-errors.js';
import { Refused } from './Refused.js';
import { searchMembers, type DirectoryMember } from './conversations-api.js';

/** Wait this long after the last key before asking the server: one request per pause, not per letter. */
const DEBOUNCE_MS = 250;

interface MemberSearchProps {
  readonly session: SecureSession;
  readonly ownUserId: string;
  /** The visible label of each result's button, e.g. "Add"; screen readers hear the name after it. */
  readonly actionLabel: string;
  readonly onChoose: (member: DirectoryMember) => void;
  /** People not to offer (already chosen, already members). */
  readonly exclude?: ReadonlySet<string>;
}

type SearchState =
  | { readonly status: 'idle' }
  | { readonly status: 'searching' }
  | { readonly status: 'done'; readonly members: readonly DirectoryMember[] }
  | { readonly status: 'failed'; readonly refusal: Refusal };

/** Finds members of the network directory by name (`GET /members?q=`), each result with one action. */
export function MemberSearch({
  session,
  ownUserId,
  actionLabel,
  onChoose,
  exclude,
}: MemberSearchProps): ReactNode {
  const i18n = useI18n();
  const inputId = useId();
  const hintId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [state, setState] = useState<SearchState>({ status: 'idle' });
  const trimmed = query.trim();

  useEffect(() => {
    if (trimmed === '') {
      setState({ status: 'idle' });
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      setState({ status: 'searching' });
      searchMembers(session.http, trimmed, ownUserId).then(
        (members) => {
          if (!cancelled) setState({ status: 'done', members });
        },
        (error: unknown) => {
          if (!cancelled) setState({ status: 'failed', refusal: conversationRefusal(error, i18n) });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [session, trimmed, ownUserId, i18n]);

  const shown = state.status === 'done' ? state.members.filter((m) => exclude?.has(m.id) !== true) : [];
  return (
    <div className="member-search">
      <label htmlFor={inputId}>{i18n.t('convo.searchMembers')}</label>
      <input
        id={inputId}
        ref={input}
        type="search"
        autoComplete="off"
        aria-describedby={hintId}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          // Enter searches (it does already, as one types); it must not submit the form around it.
          if (event.key === 'Enter') event.preventDefault();
        }}
      />
      <p id={hintId} className="field-hint">
        {i18n.t('convo.searchHint')}
      </p>
      <p className="visually-hidden" role="status">
        {state.status === 'done' && i18n.plural('convo.found', shown.length)}
      </p>
      {state.status === 'searching' && <p className="list-status">{i18n.t('convo.searching')}</p>}
      {state.status === 'failed' && <Refused refusal={state.refusal} />}
      {state.status === 'done' && shown.length === 0 && (
        <p className="list-status">{i18n.t('convo.noneFound')}</p>
      )}
      {shown.length > 0 && (
        <ul className="member-results" aria-label={i18n.t('convo.results')}>
          {shown.map((member) => (
            <li key={member.id} className="member-row">
              <span className="member-name">
                <SafeName name={member.displayName} />
                {member.countryCode !== null && (
                  <span className="member-country"> · {member.countryCode}</span>
                )}
              </span>
              <button
                type="button"
                onClick={() => {
                  onChoose(member);
                  // Chosen: the field is ready for the next name (and does not claim nobody was found).
                  setQuery('');
                  input.current?.focus();
                }}
              >
                {actionLabel}
                <span className="visually-hidden"> {safeName(member.displayName).text}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
