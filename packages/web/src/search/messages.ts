import type { FeatureMessages } from '../i18n/feature-messages.js';

const en = {
  'search.label': 'Search messages',
  'search.placeholder': 'Search messages…',
  'search.hint':
    'Searches the messages this browser can read; nothing is sent to the server. Use the arrow keys and Enter to open one, Escape to clear.',
  'search.scope': 'Search in',
  'search.scopeAll': 'All conversations',
  'search.results': 'Search results',
  'search.searching': 'Searching…',
  'search.found': {
    one: '{count} message found',
    other: '{count} messages found',
  },
  'search.foundMore': 'The {count} most recent matches are shown; add a word to narrow them down.',
  'search.none': 'No messages found.',
  'search.indexing': 'Older messages are still being prepared for search on this browser.',
  'search.failed': 'Search is not available right now.',
  'search.clear': 'Clear the search',
} as const;

export const searchMessages: FeatureMessages<typeof en> = {
  en,
  de: {
    'search.label': 'Nachrichten durchsuchen',
    'search.placeholder': 'Nachrichten durchsuchen…',
    'search.hint':
      'Durchsucht die Nachrichten, die dieser Browser lesen kann; nichts wird an den Server gesendet. Mit den Pfeiltasten und der Eingabetaste öffnen, mit Escape leeren.',
    'search.scope': 'Suchen in',
    'search.scopeAll': 'Alle Unterhaltungen',
    'search.results': 'Suchergebnisse',
    'search.searching': 'Suche läuft…',
    'search.found': {
      one: '{count} Nachricht gefunden',
      other: '{count} Nachrichten gefunden',
    },
    'search.foundMore':
      'Die {count} neuesten Treffer werden angezeigt; ein weiteres Wort grenzt die Suche ein.',
    'search.none': 'Keine Nachrichten gefunden.',
    'search.indexing': 'Ältere Nachrichten werden in diesem Browser noch für die Suche vorbereitet.',
    'search.failed': 'Die Suche ist gerade nicht verfügbar.',
    'search.clear': 'Suche leeren',
  },
  fr: {
    'search.label': 'Rechercher dans les messages',
    'search.placeholder': 'Rechercher dans les messages…',
    'search.hint':
      'Recherche dans les messages que ce navigateur peut lire ; rien n’est envoyé au serveur. Flèches et Entrée pour en ouvrir un, Échap pour effacer.',
    'search.scope': 'Rechercher dans',
    'search.scopeAll': 'Toutes les conversations',
    'search.results': 'Résultats de la recherche',
    'search.searching': 'Recherche…',
    'search.found': {
      one: '{count} message trouvé',
      other: '{count} messages trouvés',
    },
    'search.foundMore':
      'Les {count} résultats les plus récents sont affichés ; ajoutez un mot pour affiner la recherche.',
    'search.none': 'Aucun message trouvé.',
    'search.indexing':
      'Les messages plus anciens sont encore en cours de préparation pour la recherche dans ce navigateur.',
    'search.failed': 'La recherche n’est pas disponible pour le moment.',
    'search.clear': 'Effacer la recherche',
  },
  pl: {
    'search.label': 'Szukaj w wiadomościach',
    'search.placeholder': 'Szukaj w wiadomościach…',
    'search.hint':
      'Przeszukuje wiadomości, które ta przeglądarka może odczytać; nic nie jest wysyłane na serwer. Strzałki i Enter otwierają wiadomość, Escape czyści pole.',
    'search.scope': 'Szukaj w',
    'search.scopeAll': 'Wszystkie rozmowy',
    'search.results': 'Wyniki wyszukiwania',
    'search.searching': 'Wyszukiwanie…',
    'search.found': {
      one: 'Znaleziono {count} wiadomość',
      few: 'Znaleziono {count} wiadomości',
      many: 'Znaleziono {count} wiadomości',
      other: 'Znaleziono {count} wiadomości',
    },
    'search.foundMore': 'Pokazano {count} najnowszych wyników; dodaj słowo, aby zawęzić wyszukiwanie.',
    'search.none': 'Nie znaleziono wiadomości.',
    'search.indexing': 'Starsze wiadomości są jeszcze przygotowywane do wyszukiwania w tej przeglądarce.',
    'search.failed': 'Wyszukiwanie jest teraz niedostępne.',
    'search.clear': 'Wyczyść wyszukiwanie',
  },
};
