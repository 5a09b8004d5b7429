import type { FeatureMessages } from '../i18n/feature-messages.js';

const en = {
  'broadcasts.open': 'New broadcast',
  'broadcasts.label': 'Broadcast',

  'broadcasts.new.heading': 'New broadcast',
  'broadcasts.new.intro':
    'A broadcast goes from you to a list of members. They can read it and react; whoever replies does so in a private conversation with you.',
  'broadcasts.new.title': 'Title of the broadcast',
  'broadcasts.new.recipients': {
    one: 'Recipients: {count} chosen',
    other: 'Recipients: {count} chosen',
  },
  'broadcasts.new.noRecipients': 'Choose at least one recipient.',
  'broadcasts.new.create': 'Create broadcast',
  'broadcasts.new.creating': 'Creating…',

  'broadcasts.owner': {
    one: 'Your broadcast to {count} recipient. They can read and react; replies reach you as private conversations.',
    other:
      'Your broadcast to {count} recipients. They can read and react; replies reach you as private conversations.',
  },
  'broadcasts.from': 'Broadcast from',
  'broadcasts.readOnly':
    'Only the sender writes here. You can react to the messages, or reply privately: the sender alone reads your reply.',
  'broadcasts.reply': 'Reply privately',
  'broadcasts.replying': 'Opening…',
  'broadcasts.error.senderGone': 'The sender has left this broadcast: a private reply is no longer possible.',
  'broadcasts.error.own': 'This broadcast is your own.',
} as const;

const de = {
  'broadcasts.open': 'Neue Rundsendung',
  'broadcasts.label': 'Rundsendung',

  'broadcasts.new.heading': 'Neue Rundsendung',
  'broadcasts.new.intro':
    'Eine Rundsendung geht von Ihnen an eine Liste von Mitgliedern. Sie können sie lesen und darauf reagieren; wer antwortet, tut das in einer privaten Unterhaltung mit Ihnen.',
  'broadcasts.new.title': 'Titel der Rundsendung',
  'broadcasts.new.recipients': {
    one: 'Empfänger: {count} ausgewählt',
    other: 'Empfänger: {count} ausgewählt',
  },
  'broadcasts.new.noRecipients': 'Wählen Sie mindestens einen Empfänger.',
  'broadcasts.new.create': 'Rundsendung erstellen',
  'broadcasts.new.creating': 'Wird erstellt…',

  'broadcasts.owner': {
    one: 'Ihre Rundsendung an {count} Empfänger. Sie können lesen und reagieren; Antworten erreichen Sie als private Unterhaltungen.',
    other:
      'Ihre Rundsendung an {count} Empfänger. Sie können lesen und reagieren; Antworten erreichen Sie als private Unterhaltungen.',
  },
  'broadcasts.from': 'Rundsendung von',
  'broadcasts.readOnly':
    'Nur der Absender schreibt hier. Sie können auf die Nachrichten reagieren oder privat antworten: Ihre Antwort liest nur der Absender.',
  'broadcasts.reply': 'Privat antworten',
  'broadcasts.replying': 'Wird geöffnet…',
  'broadcasts.error.senderGone':
    'Der Absender hat diese Rundsendung verlassen: Eine private Antwort ist nicht mehr möglich.',
  'broadcasts.error.own': 'Diese Rundsendung ist Ihre eigene.',
} as const;

const fr = {
  'broadcasts.open': 'Nouvelle diffusion',
  'broadcasts.label': 'Diffusion',

  'broadcasts.new.heading': 'Nouvelle diffusion',
  'broadcasts.new.intro':
    'Une diffusion part de vous vers une liste de membres. Ils peuvent la lire et y réagir ; qui répond le fait dans une conversation privée avec vous.',
  'broadcasts.new.title': 'Titre de la diffusion',
  'broadcasts.new.recipients': {
    one: 'Destinataires : {count} choisi',
    other: 'Destinataires : {count} choisis',
  },
  'broadcasts.new.noRecipients': 'Choisissez au moins un destinataire.',
  'broadcasts.new.create': 'Créer la diffusion',
  'broadcasts.new.creating': 'Création…',

  'broadcasts.owner': {
    one: 'Votre diffusion vers {count} destinataire. Il peut lire et réagir ; les réponses vous parviennent en conversations privées.',
    other:
      'Votre diffusion vers {count} destinataires. Ils peuvent lire et réagir ; les réponses vous parviennent en conversations privées.',
  },
  'broadcasts.from': 'Diffusion de',
  'broadcasts.readOnly':
    'Seul l’expéditeur écrit ici. Vous pouvez réagir aux messages ou répondre en privé : seul l’expéditeur lit votre réponse.',
  'broadcasts.reply': 'Répondre en privé',
  'broadcasts.replying': 'Ouverture…',
  'broadcasts.error.senderGone':
    'L’expéditeur a quitté cette diffusion : une réponse privée n’est plus possible.',
  'broadcasts.error.own': 'Cette diffusion est la vôtre.',
} as const;

const pl = {
  'broadcasts.open': 'Nowy komunikat',
  'broadcasts.label': 'Komunikat',

  'broadcasts.new.heading': 'Nowy komunikat',
  'broadcasts.new.intro':
    'Komunikat trafia od Ciebie do listy członków. Mogą go czytać i na niego reagować; kto odpowie, zrobi to w prywatnej rozmowie z Tobą.',
  'broadcasts.new.title': 'Tytuł komunikatu',
  'broadcasts.new.recipients': {
    one: 'Odbiorcy: wybrano {count}',
    few: 'Odbiorcy: wybrano {count}',
    many: 'Odbiorcy: wybrano {count}',
    other: 'Odbiorcy: wybrano {count}',
  },
  'broadcasts.new.noRecipients': 'Wybierz co najmniej jednego odbiorcę.',
  'broadcasts.new.create': 'Utwórz komunikat',
  'broadcasts.new.creating': 'Tworzenie…',

  'broadcasts.owner': {
    one: 'Twój komunikat do {count} odbiorcy. Może czytać i reagować; odpowiedzi trafiają do Ciebie jako prywatne rozmowy.',
    few: 'Twój komunikat do {count} odbiorców. Mogą czytać i reagować; odpowiedzi trafiają do Ciebie jako prywatne rozmowy.',
    many: 'Twój komunikat do {count} odbiorców. Mogą czytać i reagować; odpowiedzi trafiają do Ciebie jako prywatne rozmowy.',
    other:
      'Twój komunikat do {count} odbiorcy. Mogą czytać i reagować; odpowiedzi trafiają do Ciebie jako prywatne rozmowy.',
  },
  'broadcasts.from': 'Komunikat od',
  'broadcasts.readOnly':
    'Pisać tu może tylko nadawca. Możesz reagować na wiadomości albo odpowiedzieć prywatnie: Twoją odpowiedź przeczyta tylko nadawca.',
  'broadcasts.reply': 'Odpowiedz prywatnie',
  'broadcasts.replying': 'Otwieranie…',
  'broadcasts.error.senderGone': 'Nadawca opuścił ten komunikat: prywatna odpowiedź nie jest już możliwa.',
  'broadcasts.error.own': 'To Twój własny komunikat.',
} as const;

export const broadcastsMessages: FeatureMessages<typeof en> = { en, de, fr, pl };
