import type { FeatureMessages } from '../i18n/feature-messages.js';

const en = {
  'passwordReset.forgotLink': 'Forgot your password?',

  'passwordReset.requestHeading': 'Reset your password',
  'passwordReset.requestIntro':
    'Enter the e-mail address of your account. We will send you a link to choose a new password.',
  'passwordReset.email': 'E-mail address',
  'passwordReset.send': 'Send reset link',
  'passwordReset.sending': 'Sending…',
  'passwordReset.sentHeading': 'Check your e-mail',
  'passwordReset.sentText':
    'If an account uses {email}, a link to reset its password is on its way. The link works once, within one hour.',
  'passwordReset.sentHelp':
    'Nothing arrived after a few minutes? Check your spam folder and the spelling of the address, then ask again.',
  'passwordReset.askAgain': 'Ask for another link',
  'passwordReset.backToSignIn': 'Back to sign-in',

  'passwordReset.chooseHeading': 'Choose a new password',
  'passwordReset.chooseIntro':
    'Once the new password is set, every session of your account is signed out, on all devices.',
  'passwordReset.totpNote':
    'If you use an authenticator app, it stays set up: you will still need a code from it to sign in.',
  'passwordReset.e2eeHeading': 'Your encrypted messages',
  'passwordReset.e2eeNote':
    'A new password does not restore your encryption keys. To read your encrypted message history on a browser or device that is new to your account, you still need your recovery passphrase.',
  'passwordReset.submit': 'Set new password',
  'passwordReset.submitting': 'Saving…',
  'passwordReset.requestNew': 'Ask for a new link',

  'passwordReset.doneHeading': 'Password changed',
  'passwordReset.doneText':
    'Your new password is set, and every session of your account has been signed out. Sign in again with the new password.',

  'passwordReset.error.tokenInvalid':
    'This reset link has expired or has been used already. A link works once, within one hour: ask for a new one.',
  'passwordReset.error.tokenMissing':
    'This link is incomplete. Open it again from your e-mail, in full, or ask for a new one.',
  'passwordReset.error.email': 'Enter a valid e-mail address.',
  'passwordReset.error.common': 'This is one of the most commonly used passwords. Choose another one.',
  'passwordReset.error.variety': 'This password uses too few different characters. Mix in more of them.',
  'passwordReset.error.containsEmail': 'The password must not contain your e-mail address.',
  'passwordReset.error.containsName': 'The password must not contain your name.',
} as const;

const de = {
  'passwordReset.forgotLink': 'Passwort vergessen?',

  'passwordReset.requestHeading': 'Passwort zurücksetzen',
  'passwordReset.requestIntro':
    'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.',
  'passwordReset.email': 'E-Mail-Adresse',
  'passwordReset.send': 'Link zum Zurücksetzen senden',
  'passwordReset.sending': 'Wird gesendet…',
  'passwordReset.sentHeading': 'Prüfen Sie Ihre E-Mails',
  'passwordReset.sentText':
    'Wenn ein Konto {email} verwendet, ist ein Link zum Zurücksetzen des Passworts unterwegs. Der Link gilt einmal, innerhalb einer Stunde.',
  'passwordReset.sentHelp':
    'Nach einigen Minuten nichts erhalten? Prüfen Sie Ihren Spam-Ordner und die Schreibweise der Adresse und fordern Sie dann erneut an.',
  'passwordReset.askAgain': 'Einen weiteren Link anfordern',
  'passwordReset.backToSignIn': 'Zurück zur Anmeldung',

  'passwordReset.chooseHeading': 'Neues Passwort wählen',
  'passwordReset.chooseIntro':
    'Sobald das neue Passwort gesetzt ist, werden alle Sitzungen Ihres Kontos auf allen Geräten abgemeldet.',
  'passwordReset.totpNote':
    'Wenn Sie eine Authenticator-App verwenden, bleibt sie eingerichtet: Zum Anmelden brauchen Sie weiterhin einen Code daraus.',
  'passwordReset.e2eeHeading': 'Ihre verschlüsselten Nachrichten',
  'passwordReset.e2eeNote':
    'Ein neues Passwort stellt Ihre Schlüssel nicht wieder her. Um Ihren verschlüsselten Nachrichtenverlauf in einem Browser oder auf einem Gerät zu lesen, das für Ihr Konto neu ist, brauchen Sie weiterhin Ihre Wiederherstellungs-Passphrase.',
  'passwordReset.submit': 'Neues Passwort setzen',
  'passwordReset.submitting': 'Wird gespeichert…',
  'passwordReset.requestNew': 'Neuen Link anfordern',

  'passwordReset.doneHeading': 'Passwort geändert',
  'passwordReset.doneText':
    'Ihr neues Passwort ist gesetzt, und alle Sitzungen Ihres Kontos wurden abgemeldet. Melden Sie sich mit dem neuen Passwort wieder an.',

  'passwordReset.error.tokenInvalid':
    'Dieser Link ist abgelaufen oder wurde bereits verwendet. Ein Link gilt einmal, innerhalb einer Stunde: Fordern Sie einen neuen an.',
  'passwordReset.error.tokenMissing':
    'Dieser Link ist unvollständig. Öffnen Sie ihn vollständig aus Ihrer E-Mail oder fordern Sie einen neuen an.',
  'passwordReset.error.email': 'Geben Sie eine gültige E-Mail-Adresse ein.',
  'passwordReset.error.common':
    'Dies ist eines der am häufigsten verwendeten Passwörter. Wählen Sie ein anderes.',
  'passwordReset.error.variety':
    'Dieses Passwort verwendet zu wenige verschiedene Zeichen. Mischen Sie mehr davon hinein.',
  'passwordReset.error.containsEmail': 'Das Passwort darf Ihre E-Mail-Adresse nicht enthalten.',
  'passwordReset.error.containsName': 'Das Passwort darf Ihren Namen nicht enthalten.',
} as const;

const fr = {
  'passwordReset.forgotLink': 'Mot de passe oublié ?',

  'passwordReset.requestHeading': 'Réinitialiser votre mot de passe',
  'passwordReset.requestIntro':
    'Saisissez l’adresse e-mail de votre compte. Nous vous enverrons un lien pour choisir un nouveau mot de passe.',
  'passwordReset.email': 'Adresse e-mail',
  'passwordReset.send': 'Envoyer le lien',
  'passwordReset.sending': 'Envoi…',
  'passwordReset.sentHeading': 'Consultez vos e-mails',
  'passwordReset.sentText':
    'Si un compte utilise {email}, un lien pour réinitialiser son mot de passe est en route. Le lien fonctionne une seule fois, dans l’heure.',
  'passwordReset.sentHelp':
    'Rien reçu après quelques minutes ? Vérifiez votre dossier de spam et l’orthographe de l’adresse, puis redemandez.',
  'passwordReset.askAgain': 'Demander un autre lien',
  'passwordReset.backToSignIn': 'Retour à la connexion',

  'passwordReset.chooseHeading': 'Choisir un nouveau mot de passe',
  'passwordReset.chooseIntro':
    'Dès que le nouveau mot de passe est enregistré, toutes les sessions de votre compte sont fermées, sur tous les appareils.',
  'passwordReset.totpNote':
    'Si vous utilisez une application d’authentification, elle reste configurée : il vous faudra toujours un code pour vous connecter.',
  'passwordReset.e2eeHeading': 'Vos messages chiffrés',
  'passwordReset.e2eeNote':
    'Un nouveau mot de passe ne restaure pas vos clés de chiffrement. Pour lire l’historique de vos messages chiffrés dans un navigateur ou sur un appareil nouveau pour votre compte, il vous faut toujours votre phrase de récupération.',
  'passwordReset.submit': 'Enregistrer le nouveau mot de passe',
  'passwordReset.submitting': 'Enregistrement…',
  'passwordReset.requestNew': 'Demander un nouveau lien',

  'passwordReset.doneHeading': 'Mot de passe modifié',
  'passwordReset.doneText':
    'Votre nouveau mot de passe est enregistré et toutes les sessions de votre compte ont été fermées. Reconnectez-vous avec le nouveau mot de passe.',

  'passwordReset.error.tokenInvalid':
    'Ce lien a expiré ou a déjà été utilisé. Un lien fonctionne une seule fois, dans l’heure : demandez-en un nouveau.',
  'passwordReset.error.tokenMissing':
    'Ce lien est incomplet. Ouvrez-le de nouveau en entier depuis votre e-mail, ou demandez-en un nouveau.',
  'passwordReset.error.email': 'Saisissez une adresse e-mail valide.',
  'passwordReset.error.common': 'C’est l’un des mots de passe les plus courants. Choisissez-en un autre.',
  'passwordReset.error.variety':
    'Ce mot de passe utilise trop peu de caractères différents. Variez-les davantage.',
  'passwordReset.error.containsEmail': 'Le mot de passe ne doit pas contenir votre adresse e-mail.',
  'passwordReset.error.containsName': 'Le mot de passe ne doit pas contenir votre nom.',
} as const;

const pl = {
  'passwordReset.forgotLink': 'Nie pamiętasz hasła?',

  'passwordReset.requestHeading': 'Zresetuj hasło',
  'passwordReset.requestIntro':
    'Wpisz adres e-mail swojego konta. Wyślemy Ci link, za pomocą którego wybierzesz nowe hasło.',
  'passwordReset.email': 'Adres e-mail',
  'passwordReset.send': 'Wyślij link',
  'passwordReset.sending': 'Wysyłanie…',
  'passwordReset.sentHeading': 'Sprawdź pocztę',
  'passwordReset.sentText':
    'Jeśli jakieś konto używa adresu {email}, link do zresetowania jego hasła jest już w drodze. Link działa jeden raz, przez godzinę.',
  'passwordReset.sentHelp':
    'Nic nie dotarło po kilku minutach? Sprawdź folder spamu i pisownię adresu, a potem poproś ponownie.',
  'passwordReset.askAgain': 'Poproś o kolejny link',
  'passwordReset.backToSignIn': 'Wróć do logowania',

  'passwordReset.chooseHeading': 'Wybierz nowe hasło',
  'passwordReset.chooseIntro':
    'Po ustawieniu nowego hasła wszystkie sesje Twojego konta zostaną wylogowane, na wszystkich urządzeniach.',
  'passwordReset.totpNote':
    'Jeśli używasz aplikacji uwierzytelniającej, pozostaje ona skonfigurowana: do logowania nadal potrzebny będzie kod z niej.',
  'passwordReset.e2eeHeading': 'Twoje zaszyfrowane wiadomości',
  'passwordReset.e2eeNote':
    'Nowe hasło nie przywraca kluczy szyfrowania. Aby czytać zaszyfrowaną historię wiadomości w przeglądarce lub na urządzeniu nowym dla Twojego konta, nadal potrzebujesz frazy odzyskiwania.',
  'passwordReset.submit': 'Ustaw nowe hasło',
  'passwordReset.submitting': 'Zapisywanie…',
  'passwordReset.requestNew': 'Poproś o nowy link',

  'passwordReset.doneHeading': 'Hasło zmienione',
  'passwordReset.doneText':
    'Nowe hasło jest ustawione, a wszystkie sesje Twojego konta zostały wylogowane. Zaloguj się ponownie nowym hasłem.',

  'passwordReset.error.tokenInvalid':
    'Ten link wygasł lub został już użyty. Link działa jeden raz, przez godzinę: poproś o nowy.',
  'passwordReset.error.tokenMissing':
    'Ten link jest niepełny. Otwórz go ponownie w całości z wiadomości e-mail albo poproś o nowy.',
  'passwordReset.error.email': 'Wpisz prawidłowy adres e-mail.',
  'passwordReset.error.common': 'To jedno z najczęściej używanych haseł. Wybierz inne.',
  'passwordReset.error.variety': 'To hasło ma zbyt mało różnych znaków. Użyj ich więcej.',
  'passwordReset.error.containsEmail': 'Hasło nie może zawierać Twojego adresu e-mail.',
  'passwordReset.error.containsName': 'Hasło nie może zawierać Twojego imienia i nazwiska.',
} as const;

export const passwordResetMessages: FeatureMessages<typeof en> = { en, de, fr, pl };
