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

  'device.opening': 'Opening your encrypted messages…',
  'device.openFailed': 'Your encrypted messages could not be opened on this browser.',
  'device.unlockHeading': 'Recover your messages on this browser',
  'device.unlockIntro':
    'This browser is new to your account. Your messages are end-to-end encrypted: enter your recovery passphrase to read them here, including your history.',
  'device.passphrase': 'Recovery passphrase',
  'device.unlockHint': 'The passphrase or generated code you saved when you set up your first device.',
  'device.unlock': 'Recover',
  'device.unlocking': 'Recovering… (this takes a few seconds)',
  'device.wrongPassphrase': 'That recovery passphrase is wrong.',
  'device.passphraseTooWeak':
    'Use the suggested code, or a passphrase of at least 16 characters with some variety.',
  'device.recoveryHeading': 'Set up your recovery passphrase',
  'device.recoveryIntro':
    'Your messages are end-to-end encrypted: only your own devices hold the keys. The recovery passphrase protects an encrypted backup of them, so you can read your messages on a new device or after clearing this browser.',
  'device.recoveryLoss':
    'Keep it somewhere safe, apart from your password. If you lose both the passphrase and every signed-in device, your message history is gone for good: nobody, not even the ENLETS Secretariat, can recover it.',
  'device.newPassphrase': 'Recovery passphrase',
  'device.newPassphraseHint': 'At least 16 characters, or use a generated code.',
  'device.suggest': 'Suggest a generated code',
  'device.suggested': 'Write this code down now:',
  'device.confirmPassphrase': 'Type the passphrase again',
  'device.passphraseMismatch': 'The two passphrases differ.',
  'device.securing': 'Securing your backup… (this takes a few seconds)',
  'device.saveRecovery': 'Save recovery passphrase',
  'chat.unavailable': 'Sent before this device could read it.',
  'chat.securityWarning': 'Security warning: {reason}',
  'chat.reply': 'Reply',
  'chat.edit': 'Edit',
  'chat.reactWith': 'React with {emoji}',
  'chat.reactions': 'Reactions',
  'chat.reactionCount': {
    one: '{emoji}: {count} reaction',
    other: '{emoji}: {count} reactions',
  },
  'chat.reactionCountMine': {
    one: '{emoji}: {count} reaction, yours',
    other: '{emoji}: {count} reactions, including yours',
  },
  'chat.inReplyTo': 'In reply to {name}:',
  'chat.replyUnavailable': 'a message not shown here',
  'chat.replyingTo': 'Replying to {name}: {excerpt}',
  'chat.editing': 'Editing your message',
  'chat.cancel': 'Cancel',
  'chat.saveEdit': 'Save',
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
