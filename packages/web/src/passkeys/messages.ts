import type { FeatureMessages } from '../i18n/feature-messages.js';

const en = {
  'passkeys.signIn.or': 'or',
  'passkeys.signIn.button': 'Use a passkey',
  'passkeys.signIn.busy': 'Waiting for your passkey…',

  'passkeys.heading': 'Passkeys',
  'passkeys.intro':
    'A passkey signs you in without your password and authentication code: your device unlocks it with your fingerprint, face or PIN. On a new browser you still need your recovery passphrase to read your messages.',
  'passkeys.empty': 'You have no passkeys yet.',
  'passkeys.add': 'Add a passkey',
  'passkeys.addHeading': 'Add a passkey',
  'passkeys.addIntro':
    'Confirm it is you first. Your browser will then ask you to create the passkey on this device, a phone or a security key.',
  'passkeys.name': 'Name of the passkey',
  'passkeys.nameHint': 'So you can tell your passkeys apart, for example “Work laptop”.',
  'passkeys.currentPassword': 'Current password',
  'passkeys.code': 'Authentication code',
  'passkeys.codeHint': 'The 6-digit code from your authenticator app, or one of your recovery codes.',
  'passkeys.create': 'Create passkey',
  'passkeys.creating': 'Follow the instructions of your browser…',
  'passkeys.cancel': 'Cancel',
  'passkeys.added': 'The passkey “{name}” was added.',
  'passkeys.createdAt': 'Added',
  'passkeys.lastUsed': 'Last used',
  'passkeys.neverUsed': 'Not used yet',
  'passkeys.synced': 'Synced between your devices',
  'passkeys.blocked': 'Blocked: a copy may exist',
  'passkeys.remove': 'Remove',
  'passkeys.confirmRemove': 'Remove the passkey “{name}”? It will no longer sign you in.',
  'passkeys.confirmYes': 'Yes, remove',
  'passkeys.removed': 'The passkey “{name}” was removed.',

  'passkeys.error.cancelled': 'The passkey request was cancelled or timed out.',
  'passkeys.error.unknown':
    'This passkey is not registered to any account: it may have been removed. Sign in with your e-mail address and password.',
  'passkeys.error.cloneSuspected':
    'This passkey was blocked because a copy of it may exist. Sign in with your password, remove it and add a new one.',
  'passkeys.error.failed': 'The passkey could not be verified. Please try again.',
  'passkeys.error.expired': 'The request expired. Please try again.',
  'passkeys.error.unsupported': 'This browser does not support passkeys.',
  'passkeys.error.exists': 'This passkey is registered to your account already.',
  'passkeys.error.limit': 'You have as many passkeys as an account can have. Remove one first.',
  'passkeys.error.codeRequired': 'Enter the code from your authenticator app as well.',
  'passkeys.error.wrongPassword': 'The current password is wrong.',
} as const;

const de = {
  'passkeys.signIn.or': 'oder',
  'passkeys.signIn.button': 'Passkey verwenden',
  'passkeys.signIn.busy': 'Warten auf Ihren Passkey…',

  'passkeys.heading': 'Passkeys',
  'passkeys.intro':
    'Mit einem Passkey melden Sie sich ohne Passwort und Authentifizierungscode an: Ihr Gerät entsperrt ihn mit Fingerabdruck, Gesicht oder PIN. In einem neuen Browser brauchen Sie weiterhin Ihre Wiederherstellungs-Passphrase, um Ihre Nachrichten zu lesen.',
  'passkeys.empty': 'Sie haben noch keine Passkeys.',
  'passkeys.add': 'Passkey hinzufügen',
  'passkeys.addHeading': 'Passkey hinzufügen',
  'passkeys.addIntro':
    'Bestätigen Sie zuerst, dass Sie es sind. Danach bittet Ihr Browser Sie, den Passkey auf diesem Gerät, einem Telefon oder einem Sicherheitsschlüssel zu erstellen.',
  'passkeys.name': 'Name des Passkeys',
  'passkeys.nameHint': 'Damit Sie Ihre Passkeys unterscheiden können, zum Beispiel „Dienstlaptop“.',
  'passkeys.currentPassword': 'Aktuelles Passwort',
  'passkeys.code': 'Authentifizierungscode',
  'passkeys.codeHint':
    'Der 6-stellige Code aus Ihrer Authenticator-App oder einer Ihrer Wiederherstellungscodes.',
  'passkeys.create': 'Passkey erstellen',
  'passkeys.creating': 'Folgen Sie den Anweisungen Ihres Browsers…',
  'passkeys.cancel': 'Abbrechen',
  'passkeys.added': 'Der Passkey „{name}“ wurde hinzugefügt.',
  'passkeys.createdAt': 'Hinzugefügt',
  'passkeys.lastUsed': 'Zuletzt verwendet',
  'passkeys.neverUsed': 'Noch nicht verwendet',
  'passkeys.synced': 'Zwischen Ihren Geräten synchronisiert',
  'passkeys.blocked': 'Gesperrt: möglicherweise existiert eine Kopie',
  'passkeys.remove': 'Entfernen',
  'passkeys.confirmRemove': 'Den Passkey „{name}“ entfernen? Sie können sich damit nicht mehr anmelden.',
  'passkeys.confirmYes': 'Ja, entfernen',
  'passkeys.removed': 'Der Passkey „{name}“ wurde entfernt.',

  'passkeys.error.cancelled': 'Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen.',
  'passkeys.error.unknown':
    'Dieser Passkey gehört zu keinem Konto: Er wurde vielleicht entfernt. Melden Sie sich mit E-Mail-Adresse und Passwort an.',
  'passkeys.error.cloneSuspected':
    'Dieser Passkey wurde gesperrt, weil möglicherweise eine Kopie davon existiert. Melden Sie sich mit Ihrem Passwort an, entfernen Sie ihn und fügen Sie einen neuen hinzu.',
  'passkeys.error.failed': 'Der Passkey konnte nicht geprüft werden. Bitte versuchen Sie es erneut.',
  'passkeys.error.expired': 'Die Anfrage ist abgelaufen. Bitte versuchen Sie es erneut.',
  'passkeys.error.unsupported': 'Dieser Browser unterstützt keine Passkeys.',
  'passkeys.error.exists': 'Dieser Passkey ist bereits für Ihr Konto registriert.',
  'passkeys.error.limit': 'Sie haben die höchstmögliche Zahl an Passkeys. Entfernen Sie zuerst einen.',
  'passkeys.error.codeRequired': 'Geben Sie auch den Code aus Ihrer Authenticator-App ein.',
  'passkeys.error.wrongPassword': 'Das aktuelle Passwort ist falsch.',
} as const;

const fr = {
  'passkeys.signIn.or': 'ou',
  'passkeys.signIn.button': 'Utiliser une clé d’accès',
  'passkeys.signIn.busy': 'En attente de votre clé d’accès…',

  'passkeys.heading': 'Clés d’accès',
  'passkeys.intro':
    'Une clé d’accès vous connecte sans mot de passe ni code d’authentification : votre appareil la déverrouille avec votre empreinte, votre visage ou un code PIN. Sur un nouveau navigateur, il vous faut toujours votre phrase de récupération pour lire vos messages.',
  'passkeys.empty': 'Vous n’avez pas encore de clé d’accès.',
  'passkeys.add': 'Ajouter une clé d’accès',
  'passkeys.addHeading': 'Ajouter une clé d’accès',
  'passkeys.addIntro':
    'Confirmez d’abord votre identité. Votre navigateur vous demandera ensuite de créer la clé d’accès sur cet appareil, un téléphone ou une clé de sécurité.',
  'passkeys.name': 'Nom de la clé d’accès',
  'passkeys.nameHint': 'Pour distinguer vos clés d’accès, par exemple « Portable du bureau ».',
  'passkeys.currentPassword': 'Mot de passe actuel',
  'passkeys.code': 'Code d’authentification',
  'passkeys.codeHint':
    'Le code à 6 chiffres de votre application d’authentification, ou l’un de vos codes de récupération.',
  'passkeys.create': 'Créer la clé d’accès',
  'passkeys.creating': 'Suivez les instructions de votre navigateur…',
  'passkeys.cancel': 'Annuler',
  'passkeys.added': 'La clé d’accès « {name} » a été ajoutée.',
  'passkeys.createdAt': 'Ajoutée le',
  'passkeys.lastUsed': 'Dernière utilisation',
  'passkeys.neverUsed': 'Pas encore utilisée',
  'passkeys.synced': 'Synchronisée entre vos appareils',
  'passkeys.blocked': 'Bloquée : une copie existe peut-être',
  'passkeys.remove': 'Supprimer',
  'passkeys.confirmRemove': 'Supprimer la clé d’accès « {name} » ? Elle ne vous connectera plus.',
  'passkeys.confirmYes': 'Oui, supprimer',
  'passkeys.removed': 'La clé d’accès « {name} » a été supprimée.',

  'passkeys.error.cancelled': 'La demande de clé d’accès a été annulée ou a expiré.',
  'passkeys.error.unknown':
    'Cette clé d’accès n’est liée à aucun compte : elle a peut-être été supprimée. Connectez-vous avec votre adresse e-mail et votre mot de passe.',
  'passkeys.error.cloneSuspected':
    'Cette clé d’accès a été bloquée car une copie existe peut-être. Connectez-vous avec votre mot de passe, supprimez-la et ajoutez-en une nouvelle.',
  'passkeys.error.failed': 'La clé d’accès n’a pas pu être vérifiée. Veuillez réessayer.',
  'passkeys.error.expired': 'La demande a expiré. Veuillez réessayer.',
  'passkeys.error.unsupported': 'Ce navigateur ne prend pas en charge les clés d’accès.',
  'passkeys.error.exists': 'Cette clé d’accès est déjà enregistrée pour votre compte.',
  'passkeys.error.limit': 'Vous avez atteint le nombre maximal de clés d’accès. Supprimez-en une d’abord.',
  'passkeys.error.codeRequired': 'Saisissez aussi le code de votre application d’authentification.',
  'passkeys.error.wrongPassword': 'Le mot de passe actuel est incorrect.',
} as const;

const pl = {
  'passkeys.signIn.or': 'lub',
  'passkeys.signIn.button': 'Użyj klucza dostępu',
  'passkeys.signIn.busy': 'Oczekiwanie na klucz dostępu…',

  'passkeys.heading': 'Klucze dostępu',
  'passkeys.intro':
    'Klucz dostępu loguje Cię bez hasła i kodu uwierzytelniającego: urządzenie odblokowuje go odciskiem palca, twarzą lub kodem PIN. W nowej przeglądarce nadal potrzebujesz frazy odzyskiwania, aby czytać wiadomości.',
  'passkeys.empty': 'Nie masz jeszcze kluczy dostępu.',
  'passkeys.add': 'Dodaj klucz dostępu',
  'passkeys.addHeading': 'Dodaj klucz dostępu',
  'passkeys.addIntro':
    'Najpierw potwierdź, że to Ty. Następnie przeglądarka poprosi o utworzenie klucza dostępu na tym urządzeniu, telefonie lub kluczu bezpieczeństwa.',
  'passkeys.name': 'Nazwa klucza dostępu',
  'passkeys.nameHint': 'Aby odróżnić swoje klucze dostępu, na przykład „Laptop służbowy”.',
  'passkeys.currentPassword': 'Obecne hasło',
  'passkeys.code': 'Kod uwierzytelniający',
  'passkeys.codeHint': '6-cyfrowy kod z aplikacji uwierzytelniającej lub jeden z kodów odzyskiwania.',
  'passkeys.create': 'Utwórz klucz dostępu',
  'passkeys.creating': 'Postępuj zgodnie z instrukcjami przeglądarki…',
  'passkeys.cancel': 'Anuluj',
  'passkeys.added': 'Dodano klucz dostępu „{name}”.',
  'passkeys.createdAt': 'Dodano',
  'passkeys.lastUsed': 'Ostatnie użycie',
  'passkeys.neverUsed': 'Jeszcze nieużywany',
  'passkeys.synced': 'Synchronizowany między Twoimi urządzeniami',
  'passkeys.blocked': 'Zablokowany: może istnieć kopia',
  'passkeys.remove': 'Usuń',
  'passkeys.confirmRemove': 'Usunąć klucz dostępu „{name}”? Nie będzie już można się nim zalogować.',
  'passkeys.confirmYes': 'Tak, usuń',
  'passkeys.removed': 'Usunięto klucz dostępu „{name}”.',

  'passkeys.error.cancelled': 'Żądanie klucza dostępu zostało anulowane lub wygasło.',
  'passkeys.error.unknown':
    'Ten klucz dostępu nie należy do żadnego konta: mógł zostać usunięty. Zaloguj się adresem e-mail i hasłem.',
  'passkeys.error.cloneSuspected':
    'Ten klucz dostępu został zablokowany, ponieważ może istnieć jego kopia. Zaloguj się hasłem, usuń go i dodaj nowy.',
  'passkeys.error.failed': 'Nie udało się zweryfikować klucza dostępu. Spróbuj ponownie.',
  'passkeys.error.expired': 'Żądanie wygasło. Spróbuj ponownie.',
  'passkeys.error.unsupported': 'Ta przeglądarka nie obsługuje kluczy dostępu.',
  'passkeys.error.exists': 'Ten klucz dostępu jest już zarejestrowany dla Twojego konta.',
  'passkeys.error.limit': 'Masz już maksymalną liczbę kluczy dostępu. Najpierw usuń jeden.',
  'passkeys.error.codeRequired': 'Wpisz także kod z aplikacji uwierzytelniającej.',
  'passkeys.error.wrongPassword': 'Obecne hasło jest nieprawidłowe.',
} as const;

export const passkeysMessages: FeatureMessages<typeof en> = { en, de, fr, pl };
