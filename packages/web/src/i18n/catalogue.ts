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

  'richText.linkTitle': '{url} (opens in a new tab)',
  'richText.linkDestination': 'Link goes to:',
  'names.empty': '(no visible name)',
  'names.hiddenCharacters':
    'Warning: this name contained invisible or text-direction characters, which are not shown. It may be imitating someone else.',
  'names.mixedScripts':
    'Warning: this name mixes letters of different alphabets in one word, as look-alike names do. It may be imitating someone else.',

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
  'chat.couldNotQueue':
    'This message could not be prepared for sending. Check your connection and try again.',
  'chat.attach': 'Attach files',
  'chat.filesToSend': 'Files to send',
  'chat.removeFile': 'Remove {name}',
  'chat.remove': 'Remove',
  'chat.files': 'Attached files',
  'chat.download': 'Download',
  'chat.downloadFile': 'Download {name}',
  'chat.downloading': 'Downloading {name}',
  'chat.downloadFailed': '{name} could not be downloaded or failed its integrity check.',
  'chat.uploading': 'Encrypting and uploading',
  'chat.sharedBy': 'Shared with you by {name}',

  // Membership: first-admin setup, application, e-mail check, activation, vetting (packages/web/src/membership).
  'membership.toSignIn': 'Go to the sign-in page',
  'membership.haveAccount': 'I have an account: sign in',
  'membership.copied': 'Copied.',
  'membership.copyFailed': 'Copying failed: select the text and copy it by hand.',
  'membership.error.validation': 'Some fields are missing or not valid. Check the marked fields.',
  'membership.error.tokenInvalid': 'This link is unknown, has expired or has been used already.',
  'membership.error.tokenMissing': 'This link is incomplete. Open it again from your e-mail, in full.',
  'membership.error.passwordTooWeak':
    'This password is too easy to guess: use at least 12 characters, not a common password, and not your name or e-mail address.',
  'membership.error.setupDone': 'The first administrator exists already.',
  'membership.error.totpInvalid':
    'That code does not match. Enter the current code from your app, and check that the clock of your phone is right.',
  'membership.error.totpRequired': 'An authenticator app is required for this network.',
  'membership.error.unknownCountry': 'Choose one of the network countries.',
  'membership.error.unknownAgency': 'That agency is not listed for the chosen country.',
  'membership.error.emailTaken': 'An account with this e-mail address exists already.',

  'apply.noAccount': 'No account yet?',
  'apply.link': 'Apply for membership',
  'apply.heading': 'Apply for membership',
  'apply.intro':
    'ENLETS Messenger is for law enforcement practitioners of the network countries. The National Contact Point of your country reviews every application.',
  'apply.email': 'Work e-mail address',
  'apply.displayName': 'Full name',
  'apply.country': 'Country',
  'apply.chooseCountry': 'Choose your country',
  'apply.agency': 'Agency',
  'apply.chooseAgency': 'Choose your agency',
  'apply.agencyNotListed': 'My agency is not listed',
  'apply.agencyName': 'Name of your agency',
  'apply.position': 'Role or position',
  'apply.justification': 'Why do you need access?',
  'apply.justificationHint': 'At least {min} characters ({count} of {max}).',
  'apply.submit': 'Send application',
  'apply.submitting': 'Sending…',
  'apply.doneHeading': 'Check your mailbox',
  'apply.doneText':
    'We have sent a link to {email}. Open it within 48 hours to confirm your address; then your National Contact Point reviews the application.',
  'apply.doneHint':
    'No mail after a few minutes? Look in the spam folder, or apply again with the correct address.',

  'verify.heading': 'Confirm your e-mail address',
  'verify.intro':
    'Confirm the address of your membership application, so that it goes to your National Contact Point.',
  'verify.confirm': 'Confirm my e-mail address',
  'verify.confirming': 'Confirming…',
  'verify.doneHeading': 'E-mail address confirmed',
  'verify.doneText':
    'Thank you. The National Contact Point of your country will review your application, and you will get the decision by e-mail. If it is approved, the mail contains the link to activate your account.',
  'verify.applyAgain': 'Apply again',

  'activate.heading': 'Activate your account',
  'activate.checking': 'Checking your invitation…',
  'activate.linkHelp':
    'Invitation links work once and for seven days. If yours has expired, ask your National Contact Point for a new one.',
  'activate.stepPassword': 'Step 1 of 3: choose a password',
  'activate.stepTotp': 'Step 2 of 3: set up your authenticator app',
  'activate.stepCodes': 'Step 3 of 3: save your recovery codes',
  'activate.welcome': 'Welcome, {name}. Your application has been approved.',
  'activate.email': 'Your e-mail address (your user name)',
  'activate.password': 'New password',
  'activate.passwordHint':
    'At least {min} characters. A few unrelated words are strong and easy to remember; do not reuse a password.',
  'activate.confirmPassword': 'Type the password again',
  'activate.passwordTooShort': 'The password needs at least {min} characters.',
  'activate.passwordMismatch': 'The two passwords differ.',
  'activate.next': 'Next',
  'activate.totpIntro':
    'Add this account to an authenticator app on your phone (for example FreeOTP, Aegis or Google Authenticator): type in the secret key, or paste the otpauth address. Then enter the 6-digit code the app shows.',
  'activate.totpSecret': 'Secret key',
  'activate.totpUri': 'otpauth address',
  'activate.copySecret': 'Copy the secret key',
  'activate.copyUri': 'Copy the otpauth address',
  'activate.totpCode': '6-digit code from the app',
  'activate.totpCodeHint': 'The code changes every 30 seconds.',
  'activate.confirmTotp': 'Activate my account',
  'activate.activating': 'Activating…',
  'activate.skipTotp': 'Set up the authenticator app later',
  'activate.codesHeading': 'Your recovery codes',
  'activate.codesIntro':
    'Each code signs you in once if you lose your phone. They are shown only now: print them or keep them in a password manager, apart from your phone.',
  'activate.copyCodes': 'Copy all codes',
  'activate.codesSaved': 'I have saved my recovery codes',
  'activate.continue': 'Continue',

  'vetting.open': 'Applications',
  'vetting.toMessenger': 'Back to the messenger',
  'vetting.heading': 'Membership applications',
  'vetting.filter': 'Show',
  'vetting.filter.pending': 'To decide',
  'vetting.filter.approved': 'Approved',
  'vetting.filter.rejected': 'Rejected',
  'vetting.filter.all': 'All',
  'vetting.status': 'Status',
  'vetting.status.email_unverified': 'E-mail not confirmed',
  'vetting.status.pending': 'To decide',
  'vetting.status.approved': 'Approved',
  'vetting.status.rejected': 'Rejected',
  'vetting.loading': 'Loading applications…',
  'vetting.loadingOne': 'Loading the application…',
  'vetting.empty': 'No applications here.',
  'vetting.noneSelected': 'Choose an application to read and decide it.',
  'vetting.backToList': 'Back to the applications',
  'vetting.applicationOf': 'Application of {name}',
  'vetting.noAgency': 'Not given',
  'vetting.appliedAt': 'Applied',
  'vetting.verifiedAt': 'E-mail confirmed',
  'vetting.decidedAt': 'Decided',
  'vetting.reason': 'Reason for rejection',
  'vetting.note': 'Note',
  'vetting.approveHeading': 'Approve',
  'vetting.approveHint': 'The applicant gets an account and an e-mail with the link to activate it.',
  'vetting.noteLabel': 'Note for the record (optional)',
  'vetting.approve': 'Approve application',
  'vetting.approving': 'Approving…',
  'vetting.rejectHeading': 'Reject',
  'vetting.reasonLabel': 'Reason (sent to the applicant)',
  'vetting.reasonHint': 'At least {min} characters. Be factual: the applicant reads it.',
  'vetting.reject': 'Reject application',
  'vetting.rejecting': 'Rejecting…',
  'vetting.approved': 'Approved. {name} gets the invitation by e-mail.',
  'vetting.rejected': 'Rejected. {name} gets the reason by e-mail.',
  'vetting.error.notPending': 'This application has been decided already, perhaps by another vetter.',
  'vetting.error.selfVetting': 'You cannot decide your own application.',
  'vetting.error.notFound': 'This application does not exist or is outside your countries.',
  'vetting.error.forbidden': 'Only National Contact Points and the Secretariat vet applications.',
  'vetting.error.signedOut': 'Your session has ended. Sign in again.',

  'setup.heading': 'Create the first administrator',
  'setup.intro':
    'This one-time link creates the first Secretariat administrator of this ENLETS Messenger. It works once.',
  'setup.submit': 'Create administrator',
  'setup.creating': 'Creating…',
  'setup.createdHeading': 'Administrator created',
  'setup.createdText': 'Sign in with the e-mail address and password you just chose.',
  'setup.doneHeading': 'Setup is complete',
  'setup.doneText': 'This server has its first administrator already. Sign in instead.',
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
