import { useEffect, useId, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { SecureSession } from '../e2ee/secure-session.js';
import type { SearchHit } from '../e2ee/worker-protocol.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { Translator } from '../i18n/i18n.js';
import { conversationTitle } from '../messenger/conversation-title.js';
import type { Conversations } from '../messenger/use-conversations.js';
import { SafeName } from '../ui/SafeName.js';
import { Highlighted } from './Highlighted.js';
import { MAX_QUERY_CHARS, useMemberNames, useSearch, type SearchState } from './use-search.js';
import '../styles/search.css';

interface SearchPanelProps {
  readonly session: SecureSession;
  readonly conversations: Conversations;
  readonly ownUserId: string;
  /** Opens the conversation at the message found. */
  readonly onOpen: (conversationId: string, seq: number) => void;
}

/**
 * Search over this browser's own history (ADR 0020): the query goes to the secure worker, which holds the
 * index and the text; the hits come back as snippets. A combobox with a listbox of hits: the arrow keys move
 * through them, Enter opens one, Escape clears. Each hit names its conversation, who wrote it and when, and
 * marks the words that matched.
 */
export function SearchPanel({ session, conversations, ownUserId, onOpen }: SearchPanelProps): ReactNode {
  const i18n = useI18n();
  const ids = useId();
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState('');
  const [active, setActive] = useState(-1);
  const state = useSearch(session, query, scope === '' ? undefined : scope);

  const listed = conversations.state.status === 'ready' ? conversations.state.conversations : undefined;
  const byId = useMemo(() => new Map((listed ?? []).map((c) => [c.id, c])), [listed]);
  const response =
    state.status === 'done' ? state.response : state.status === 'searching' ? state.previous : undefined;
  // A conversation this user has left cannot be opened: its hits are not offered.
  const hits = useMemo(
    () => (response?.hits ?? []).filter((hit) => byId.has(hit.conversationId)),
    [response, byId],
  );
  const names = useMemberNames(session, hits);
  useEffect(() => setActive(-1), [hits]);

  const inputId = `${ids}-query`;
  const listId = `${ids}-results`;
  const optionId = (index: number): string => `${ids}-hit-${String(index)}`;
  useEffect(() => {
    if (active >= 0)
      document.getElementById(`${ids}-hit-${String(active)}`)?.scrollIntoView({ block: 'nearest' });
  }, [active, ids]);

  const searching = query.trim() !== '';
  const expanded = searching && hits.length > 0;
  const choose = (hit: SearchHit | undefined): void => {
    if (hit !== undefined) onOpen(hit.conversationId, hit.seq);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    switch (event.key) {
      case 'ArrowDown':
        if (hits.length === 0) return;
        event.preventDefault();
        setActive((current) => Math.min(current + 1, hits.length - 1));
        return;
      case 'ArrowUp':
        if (hits.length === 0) return;
        event.preventDefault();
        setActive((current) => Math.max(current - 1, 0));
        return;
      case 'Home':
      case 'End':
        if (active < 0 || hits.length === 0) return;
        event.preventDefault();
        setActive(event.key === 'Home' ? 0 : hits.length - 1);
        return;
      case 'Enter':
        if (hits.length === 0) return;
        event.preventDefault();
        choose(hits[Math.max(active, 0)]);
        return;
      case 'Escape':
        if (query === '') return;
        event.preventDefault();
        setQuery('');
        return;
    }
  };

  const senderName = (hit: SearchHit): string | undefined => {
    if (hit.senderId === ownUserId) return i18n.t('chat.you');
    const members = names.get(hit.conversationId);
    if (members === undefined) return undefined;
    return (hit.senderId === null ? undefined : members.get(hit.senderId)) ?? i18n.t('chat.formerMember');
  };

  return (
    <div className="search" role="search">
      <label htmlFor={inputId} className="visually-hidden">
        {i18n.t('search.label')}
      </label>
      <div className="search-field">
        <input
          id={inputId}
          type="search"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={expanded ? listId : undefined}
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          aria-describedby={`${ids}-hint`}
          placeholder={i18n.t('search.placeholder')}
          autoComplete="off"
          spellCheck={false}
          maxLength={MAX_QUERY_CHARS}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onKeyDown}
        />
        {query !== '' && (
          <button type="button" className="search-clear" onClick={() => setQuery('')}>
            <span aria-hidden="true">×</span>
            <span className="visually-hidden">{i18n.t('search.clear')}</span>
          </button>
        )}
      </div>
      <p id={`${ids}-hint`} className="visually-hidden">
        {i18n.t('search.hint')}
      </p>
      {searching && (
        <div className="search-scope">
          <label htmlFor={`${ids}-scope`}>{i18n.t('search.scope')}</label>
          <select id={`${ids}-scope`} value={scope} onChange={(event) => setScope(event.target.value)}>
            <option value="">{i18n.t('search.scopeAll')}</option>
            {(listed ?? []).map((conversation) => (
              <option key={conversation.id} value={conversation.id}>
                {conversationTitle(conversation, conversations.directNames, i18n)}
              </option>
            ))}
          </select>
        </div>
      )}
      <p className="search-status" role="status">
        {searching ? statusText(state, hits.length, i18n) : ''}
      </p>
      {expanded && (
        <ul id={listId} role="listbox" aria-label={i18n.t('search.results')} className="search-results">
          {hits.map((hit, index) => {
            const conversation = byId.get(hit.conversationId);
            const sender = senderName(hit);
            return (
              <li
                key={`${hit.conversationId}-${String(hit.seq)}`}
                id={optionId(index)}
                role="option"
                aria-selected={index === active}
                className="search-hit"
                onClick={() => choose(hit)}
                onMouseMove={() => {
                  if (index !== active) setActive(index);
                }}
              >
                <span className="search-hit-meta">
                  <span className="search-hit-conversation">
                    {conversation !== undefined && (
                      <SafeName name={conversationTitle(conversation, conversations.directNames, i18n)} />
                    )}
                  </span>
                  <time
                    dateTime={new Date(hit.createdAt).toISOString()}
                    title={i18n.formatDateTime(hit.createdAt)}
                  >
                    {i18n.formatRecent(hit.createdAt)}
                  </time>
                </span>
                <span className="search-hit-text" dir="auto">
                  {sender !== undefined && (
                    <span className="search-hit-sender">
                      <SafeName name={sender} />:{' '}
                    </span>
                  )}
                  <Highlighted text={hit.snippet} highlights={hit.highlights} />
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** What the status line says: the count of hits (kept while the next answer is on its way), or why none. */
function statusText(state: SearchState, shown: number, i18n: Translator): string {
  if (state.status === 'idle') return '';
  if (state.status === 'failed') return i18n.t('search.failed');
  const response = state.status === 'done' ? state.response : state.previous;
  if (response === undefined) return i18n.t('search.searching');
  const found = shown === 0 ? i18n.t('search.none') : i18n.plural('search.found', shown);
  const more = response.more ? ` ${i18n.t('search.foundMore', { count: shown })}` : '';
  const indexing = response.indexing ? ` ${i18n.t('search.indexing')}` : '';
  return `${found}${more}${indexing}`;
}
