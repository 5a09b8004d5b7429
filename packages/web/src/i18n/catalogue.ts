/**
 * The message catalogue: every text the web client shows, keyed by a stable name. English is the reference;
 * each other language is a `Catalogue`, so the compiler refuses one that misses or adds a key.
 *
 * A message is a string with `{name}` placeholders, or plural forms chosen by `Intl.PluralRules` for the
 * `count` parameter (Polish needs `few` and `many`; `other` is always required).
 */
export interface PluralForms {
  readonly zero?: string;
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}

export const en = {
  'app.name': 'ENLETS Messenger',
  'app.loading': 'Loading…',
  'app.unreachable': 'The server cannot be reached. Retrying…',
  'language.label': 'Language',

  'signIn.heading': 'Sign in',
  'signIn.intro': 'The secure messenger of the European Network of Law Enforcement Technology Services.',
  'signIn.email': 'E-mail address',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.submitting': 'Signing in…',
  'signIn.totpHeading': 'Two-factor authentication',
  'signIn.totpHint': 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  'signIn.totpCode': 'Authentication code',
  'signIn.verify': 'Verify',
  'signIn.otherAccount': 'Use another account',

  'error.invalidCredentials': 'The e-mail address or password is wrong.',
  'error.secondFactorInvalid': 'That code is wrong, expired or already used.',
  'error.rateLimited': {
    one: 'Too many attempts. Try again in {count} second.',
    other: 'Too many attempts. Try again in {count} seconds.',
  },
  'error.accountNotActive': 'This account is suspended, removed or not yet activated.',
  'error.network': 'The server cannot be reached. Check your connection and try again.',
  'error.unexpected': 'Something went wrong. Please try again.',

  'header.signOut': 'Sign out',
  'header.signedInAs': 'Signed in as {name}',
  'header.connection': 'Connection',

  'connection.idle': 'Offline',
  'connection.connecting': 'Connecting…',
  'connection.syncing': 'Updating…',
  'connection.live': 'Connected',
  'connection.backoff': 'Offline, reconnecting…',
  'connection.signedOut': 'Signed out',

  'conversations.heading': 'Conversations',
  'conversations.archivedHeading': 'Archived',
  'conversations.loading': 'Loading conversations…',
  'conversations.loadFailed': 'The conversations could not be loaded.',
  'conversations.retry': 'Try again',
  'conversations.empty': 'No conversations yet.',
  'conversations.untitled': 'Untitled conversation',
  'conversations.directFallback': 'Direct message',
  'conversations.unread': {
    one: '{count} unread message',
    other: '{count} unread messages',
  },
  'conversations.mentions': {
    one: '{count} mention of you',
    other: '{count} mentions of you',
  },
  'conversations.favourite': 'Favourite',
  'conversations.muted': 'Muted',
  'conversations.archived': 'Archived',
  'conversations.members': {
    one: '{count} member',
    other: '{count} members',
  },

  'chat.noneSelected': 'Choose a conversation to read and write messages.',
  'chat.back': 'Back to the conversations',
  'chat.history': 'Messages in {name}',
  'chat.loading': 'Loading messages…',
  'chat.loadFailed': 'The messages could not be loaded.',
  'chat.loadOlder': 'Show older messages',
  'chat.empty': 'No messages yet.',
  'chat.you': 'You',
  'chat.formerMember': 'Former member',
  'chat.deleted': 'This message was deleted.',
  'chat.unreadable': 'This message cannot be shown.',
  'chat.edited': 'edited',
  'chat.systemEvent': 'The conversation was changed.',
  'chat.sending': 'Sending…',
  'chat.notSent': 'Not sent ({reason}).',
  'chat.composerLabel': 'Message to {name}',
  'chat.composerHint': 'Enter sends, Shift+Enter starts a new line.',
  'chat.send': 'Send',
  'chat.tlp': 'Handling: TLP:{level}',
} as const satisfies Readonly<Record<string, string | PluralForms>>;

export type MessageKey = keyof typeof en;

/** The keys whose message takes a `count` (plural forms). */
export type PluralKey = {
  [K in MessageKey]: (typeof en)[K] extends string ? never : K;
}[MessageKey];

/** A complete translation: the same keys as English, a string where English has one, plural forms likewise. */
export type Catalogue = {
  readonly [K in MessageKey]: (typeof en)[K] extends string ? string : PluralForms;
};
