import type { FeatureMessages } from '../i18n/feature-messages.js';

const en = {
  'notifications.heading': 'Notifications',
  'notifications.intro':
    'Be told when a message arrives in a chat you have not muted. A notification says only that there are new messages, unless you turn on previews.',
  'notifications.turnOn': 'Turn on notifications',
  'notifications.turnOff': 'Turn off notifications',
  'notifications.working': 'One moment…',
  'notifications.state.off': 'Off in this browser.',
  'notifications.state.push': 'On. This browser is told about new messages even when the app is closed.',
  'notifications.state.appOnly':
    'On while the app is open. This browser has no push service available, so it cannot be told about new messages while the app is closed.',
  'notifications.state.denied':
    'Notifications are blocked for this site in your browser’s settings. Allow them there, then come back.',
  'notifications.state.unsupported': 'This browser cannot show notifications.',
  'notifications.preview.label': 'Show message previews',
  'notifications.preview.hint':
    'Only while the app is open: the sender and the start of the message appear in the notification, where people near your screen can read them. Notifications to a closed app never contain a message.',
  'notifications.error.refused': 'The server does not accept this browser’s push service.',
  'notifications.error.failed': 'Notifications could not be turned on. Please try again.',
  'notifications.generic.title': 'ENLETS Messenger',
  'notifications.generic.body': 'New messages',
  'notifications.preview.file': 'Sent a file',
  'notifications.preview.location': 'Shared a location',
  'notifications.preview.poll': 'Poll: {question}',
  'notifications.preview.undecryptable': 'New message',
  'notifications.preview.inConversation': '{sender} in {conversation}',
} as const;

export const notificationsMessages: FeatureMessages<typeof en> = {
  en,
  de: {
    'notifications.heading': 'Benachrichtigungen',
    'notifications.intro':
      'Erfahren Sie, wenn in einem nicht stummgeschalteten Chat eine Nachricht eintrifft. Eine Benachrichtigung sagt nur, dass es neue Nachrichten gibt – außer Sie schalten Vorschauen ein.',
    'notifications.turnOn': 'Benachrichtigungen einschalten',
    'notifications.turnOff': 'Benachrichtigungen ausschalten',
    'notifications.working': 'Einen Moment …',
    'notifications.state.off': 'In diesem Browser aus.',
    'notifications.state.push':
      'Ein. Dieser Browser erfährt von neuen Nachrichten auch dann, wenn die App geschlossen ist.',
    'notifications.state.appOnly':
      'Ein, solange die App geöffnet ist. Diesem Browser steht kein Push-Dienst zur Verfügung, daher erfährt er bei geschlossener App nichts von neuen Nachrichten.',
    'notifications.state.denied':
      'Benachrichtigungen sind für diese Website in den Browser-Einstellungen blockiert. Erlauben Sie sie dort und kommen Sie dann zurück.',
    'notifications.state.unsupported': 'Dieser Browser kann keine Benachrichtigungen anzeigen.',
    'notifications.preview.label': 'Nachrichtenvorschau anzeigen',
    'notifications.preview.hint':
      'Nur solange die App geöffnet ist: Absender und Anfang der Nachricht erscheinen in der Benachrichtigung, wo Personen in der Nähe Ihres Bildschirms sie lesen können. Benachrichtigungen an eine geschlossene App enthalten nie eine Nachricht.',
    'notifications.error.refused': 'Der Server akzeptiert den Push-Dienst dieses Browsers nicht.',
    'notifications.error.failed':
      'Benachrichtigungen konnten nicht eingeschaltet werden. Bitte versuchen Sie es erneut.',
    'notifications.generic.title': 'ENLETS Messenger',
    'notifications.generic.body': 'Neue Nachrichten',
    'notifications.preview.file': 'Hat eine Datei gesendet',
    'notifications.preview.location': 'Hat einen Standort geteilt',
    'notifications.preview.poll': 'Umfrage: {question}',
    'notifications.preview.undecryptable': 'Neue Nachricht',
    'notifications.preview.inConversation': '{sender} in {conversation}',
  },
  fr: {
    'notifications.heading': 'Notifications',
    'notifications.intro':
      'Soyez averti de l’arrivée d’un message dans une conversation que vous n’avez pas mise en sourdine. Une notification indique seulement qu’il y a de nouveaux messages, sauf si vous activez les aperçus.',
    'notifications.turnOn': 'Activer les notifications',
    'notifications.turnOff': 'Désactiver les notifications',
    'notifications.working': 'Un instant…',
    'notifications.state.off': 'Désactivées dans ce navigateur.',
    'notifications.state.push':
      'Activées. Ce navigateur est averti des nouveaux messages même lorsque l’application est fermée.',
    'notifications.state.appOnly':
      'Activées tant que l’application est ouverte. Ce navigateur ne dispose d’aucun service push : il ne peut pas être averti des nouveaux messages lorsque l’application est fermée.',
    'notifications.state.denied':
      'Les notifications sont bloquées pour ce site dans les réglages de votre navigateur. Autorisez-les, puis revenez ici.',
    'notifications.state.unsupported': 'Ce navigateur ne peut pas afficher de notifications.',
    'notifications.preview.label': 'Afficher un aperçu des messages',
    'notifications.preview.hint':
      'Uniquement lorsque l’application est ouverte : l’expéditeur et le début du message apparaissent dans la notification, lisibles par les personnes proches de votre écran. Les notifications envoyées à une application fermée ne contiennent jamais de message.',
    'notifications.error.refused': 'Le serveur n’accepte pas le service push de ce navigateur.',
    'notifications.error.failed': 'Impossible d’activer les notifications. Veuillez réessayer.',
    'notifications.generic.title': 'ENLETS Messenger',
    'notifications.generic.body': 'Nouveaux messages',
    'notifications.preview.file': 'A envoyé un fichier',
    'notifications.preview.location': 'A partagé une position',
    'notifications.preview.poll': 'Sondage : {question}',
    'notifications.preview.undecryptable': 'Nouveau message',
    'notifications.preview.inConversation': '{sender} dans {conversation}',
  },
  pl: {
    'notifications.heading': 'Powiadomienia',
    'notifications.intro':
      'Otrzymuj powiadomienie, gdy w niewyciszonej rozmowie pojawi się wiadomość. Powiadomienie mówi tylko, że są nowe wiadomości, chyba że włączysz podgląd.',
    'notifications.turnOn': 'Włącz powiadomienia',
    'notifications.turnOff': 'Wyłącz powiadomienia',
    'notifications.working': 'Chwileczkę…',
    'notifications.state.off': 'Wyłączone w tej przeglądarce.',
    'notifications.state.push':
      'Włączone. Ta przeglądarka dowiaduje się o nowych wiadomościach także wtedy, gdy aplikacja jest zamknięta.',
    'notifications.state.appOnly':
      'Włączone, dopóki aplikacja jest otwarta. Ta przeglądarka nie ma dostępu do usługi push, więc przy zamkniętej aplikacji nie dowie się o nowych wiadomościach.',
    'notifications.state.denied':
      'Powiadomienia dla tej witryny są zablokowane w ustawieniach przeglądarki. Zezwól na nie tam, a potem wróć.',
    'notifications.state.unsupported': 'Ta przeglądarka nie może wyświetlać powiadomień.',
    'notifications.preview.label': 'Pokazuj podgląd wiadomości',
    'notifications.preview.hint':
      'Tylko gdy aplikacja jest otwarta: nadawca i początek wiadomości pojawiają się w powiadomieniu, gdzie mogą je przeczytać osoby w pobliżu ekranu. Powiadomienia do zamkniętej aplikacji nigdy nie zawierają wiadomości.',
    'notifications.error.refused': 'Serwer nie akceptuje usługi push tej przeglądarki.',
    'notifications.error.failed': 'Nie udało się włączyć powiadomień. Spróbuj ponownie.',
    'notifications.generic.title': 'ENLETS Messenger',
    'notifications.generic.body': 'Nowe wiadomości',
    'notifications.preview.file': 'Wysłał(a) plik',
    'notifications.preview.location': 'Udostępnił(a) lokalizację',
    'notifications.preview.poll': 'Ankieta: {question}',
    'notifications.preview.undecryptable': 'Nowa wiadomość',
    'notifications.preview.inConversation': '{sender} w {conversation}',
  },
};

/** The strings the service worker shows for a push, which has no catalogue and no React (it runs alone). */
export type GenericNotificationText = Readonly<{ title: string; body: string }>;

export function genericNotificationText(locale: string): GenericNotificationText {
  const messages =
    locale === 'de'
      ? notificationsMessages.de
      : locale === 'fr'
        ? notificationsMessages.fr
        : locale === 'pl'
          ? notificationsMessages.pl
          : notificationsMessages.en;
  return { title: messages['notifications.generic.title'], body: messages['notifications.generic.body'] };
}
