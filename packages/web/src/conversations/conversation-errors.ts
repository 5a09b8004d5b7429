import { EnletsApiError } from '@enlets/client';
import type { ErrorCode } from '@enlets/protocol';
import { SecureSessionError } from '../e2ee/secure-session.js';
import type { MessageKey, PluralKey } from '../i18n/catalogue.js';
import type { Translator } from '../i18n/i18n.js';
import { errorMessage } from '../ui/error-message.js';

type Key = Exclude<MessageKey, PluralKey>;

/** A refusal as the conversation screens show it: a sentence for people, and the server's code beside it. */
export interface Refusal {
  readonly message: string;
  /** The machine-readable code (and the rule or reason the server named), for support and power users. */
  readonly code: string | undefined;
}

const BY_CODE: Partial<Readonly<Record<ErrorCode, Key>>> = {
  INVALID_CREDENTIALS: 'convo.error.wrongPassword',
  NOT_FOUND: 'convo.error.notFound',
  VALIDATION_FAILED: 'convo.error.validation',
  UNKNOWN_COUNTRY: 'convo.error.unknownCountry',
  CONVERSATION_READ_ONLY: 'convo.error.readOnly',
  HISTORY_SHARING_OFF: 'convo.error.historyOff',
  HISTORY_SHARE_INVALID: 'convo.error.historyInvalid',
  FORBIDDEN: 'convo.error.forbidden',
  CONFLICT: 'convo.error.conflict',
  TLP_VIOLATION: 'convo.error.tlp',
};

/** FORBIDDEN says which permission was missing (`details.permission`). */
const BY_PERMISSION: Readonly<Record<string, Key>> = {
  'channels.create.network': 'convo.error.createNetwork',
  'channels.create.country': 'convo.error.createCountry',
  'channels.create.tig': 'convo.error.createTig',
  'conversation.manage': 'convo.error.notManager',
  'channel.manage': 'convo.error.notManager',
  'channel.remove_member': 'convo.error.rank',
  'channel.set_role': 'convo.error.rank',
  'directory.read': 'convo.error.noDirectory',
  'messenger.use': 'convo.error.noMessenger',
};

/** CONFLICT says why (`details.reason`). */
const BY_REASON: Readonly<Record<string, Key>> = {
  leave_not_allowed: 'convo.error.leaveForbidden',
  leave_forbidden: 'convo.error.leaveForbidden',
  last_manager: 'convo.error.lastManager',
  direct: 'convo.error.direct',
  kind: 'convo.error.historyKind',
  owner: 'convo.error.owner',
};

/** TLP_VIOLATION says which rule applied (`details.rule`), in the words of TLP 2.0. */
const BY_RULE: Readonly<Record<string, Key>> = {
  guest_excluded_from_strict: 'convo.error.tlpGuest',
  no_downgrade: 'convo.error.tlpDowngrade',
  message_below_conversation: 'convo.error.tlpBelow',
  target_marked_lower: 'convo.error.tlpBelow',
  red_no_forward: 'convo.error.tlpRed',
  strict_to_guests: 'convo.error.tlpGuest',
};

const detail = (details: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined => {
  const value = details?.[name];
  return typeof value === 'string' ? value : undefined;
};

/** What to tell a person when the server (or the secure worker on its behalf) refused a conversation action. */
export function conversationRefusal(error: unknown, i18n: Translator): Refusal {
  if (error instanceof SecureSessionError) {
    if (error.name === 'HistorySharingOffError')
      return { message: i18n.t('convo.error.historyOff'), code: 'HISTORY_SHARING_OFF' };
    if (error.code !== undefined) return fromCode(error.code, undefined, i18n, error);
    return { message: i18n.t('convo.error.shareFailed'), code: error.name };
  }
  if (!(error instanceof EnletsApiError)) return { message: i18n.t('error.unexpected'), code: undefined };
  return fromCode(error.code, error.details, i18n, error);
}

function fromCode(
  code: string,
  details: Readonly<Record<string, unknown>> | undefined,
  i18n: Translator,
  error: unknown,
): Refusal {
  const permission = detail(details, 'permission');
  const reason = detail(details, 'reason');
  const rule = detail(details, 'rule');
  const tlp = detail(details, 'tlp');
  let key: Key | undefined;
  let named: string | undefined;
  if (code === 'FORBIDDEN' && permission !== undefined) {
    key = BY_PERMISSION[permission];
    named = permission;
  } else if (code === 'CONFLICT' && reason !== undefined) {
    key = BY_REASON[reason];
    named = reason;
  } else if (code === 'TLP_VIOLATION' && rule !== undefined) {
    key = BY_RULE[rule];
    named = rule;
  }
  key ??= BY_CODE[code as ErrorCode];
  const shown = named === undefined ? code : `${code}: ${named}`;
  if (key === undefined) return { message: errorMessage(error, i18n), code: shown };
  return { message: i18n.t(key, { level: tlp ?? '', rule: rule ?? '' }), code: shown };
}
