import type { FeatureMessages } from '../i18n/feature-messages.js';

const en = {
  'attachments.open': 'Open {name}',
  'attachments.previewHeading': 'Image: {name}',
  'attachments.previewDownloading': 'Downloading and decrypting {name}',
  'attachments.previewFailed':
    'The image could not be opened: it is no longer available, or it is not the file that was sent.',
  'attachments.save': 'Save',
  'attachments.close': 'Close',
  'attachments.forwardFiles': {
    one: 'Its file goes with it, still end-to-end encrypted.',
    other: 'Its {count} files go with it, still end-to-end encrypted.',
  },
} as const;

const de = {
  'attachments.open': '{name} öffnen',
  'attachments.previewHeading': 'Bild: {name}',
  'attachments.previewDownloading': '{name} wird heruntergeladen und entschlüsselt',
  'attachments.previewFailed':
    'Das Bild konnte nicht geöffnet werden: Es ist nicht mehr verfügbar, oder es ist nicht die gesendete Datei.',
  'attachments.save': 'Speichern',
  'attachments.close': 'Schließen',
  'attachments.forwardFiles': {
    one: 'Die Datei wird mitgesendet, weiterhin Ende-zu-Ende-verschlüsselt.',
    other: 'Die {count} Dateien werden mitgesendet, weiterhin Ende-zu-Ende-verschlüsselt.',
  },
};

const fr = {
  'attachments.open': 'Ouvrir {name}',
  'attachments.previewHeading': 'Image : {name}',
  'attachments.previewDownloading': 'Téléchargement et déchiffrement de {name}',
  'attachments.previewFailed':
    'L’image n’a pas pu être ouverte : elle n’est plus disponible, ou ce n’est pas le fichier envoyé.',
  'attachments.save': 'Enregistrer',
  'attachments.close': 'Fermer',
  'attachments.forwardFiles': {
    one: 'Son fichier est transféré avec lui, toujours chiffré de bout en bout.',
    other: 'Ses {count} fichiers sont transférés avec lui, toujours chiffrés de bout en bout.',
  },
};

const pl = {
  'attachments.open': 'Otwórz {name}',
  'attachments.previewHeading': 'Obraz: {name}',
  'attachments.previewDownloading': 'Pobieranie i odszyfrowywanie {name}',
  'attachments.previewFailed':
    'Nie udało się otworzyć obrazu: nie jest już dostępny albo nie jest to wysłany plik.',
  'attachments.save': 'Zapisz',
  'attachments.close': 'Zamknij',
  'attachments.forwardFiles': {
    one: 'Jej plik zostanie przekazany razem z nią, nadal zaszyfrowany end-to-end.',
    few: 'Jej {count} pliki zostaną przekazane razem z nią, nadal zaszyfrowane end-to-end.',
    many: 'Jej {count} plików zostanie przekazanych razem z nią, nadal zaszyfrowanych end-to-end.',
    other: 'Jej {count} pliku zostanie przekazane razem z nią, nadal zaszyfrowane end-to-end.',
  },
};

/** Image thumbnails in the timeline, the image preview, and forwarding messages with files. */
export const attachmentsMessages: FeatureMessages<typeof en> = { en, de, fr, pl };
