/**
 * The countries of the network: the 27 EU member states and the associated Schengen countries. The code is
 * ISO 3166-1 alpha-2 (Greece is `GR`, not the EU's `EL`).
 */
export const COUNTRIES = [
  { code: 'AT', name: 'Austria', eu: true },
  { code: 'BE', name: 'Belgium', eu: true },
  { code: 'BG', name: 'Bulgaria', eu: true },
  { code: 'HR', name: 'Croatia', eu: true },
  { code: 'CY', name: 'Cyprus', eu: true },
  { code: 'CZ', name: 'Czechia', eu: true },
  { code: 'DK', name: 'Denmark', eu: true },
  { code: 'EE', name: 'Estonia', eu: true },
  { code: 'FI', name: 'Finland', eu: true },
  { code: 'FR', name: 'France', eu: true },
  { code: 'DE', name: 'Germany', eu: true },
  { code: 'GR', name: 'Greece', eu: true },
  { code: 'HU', name: 'Hungary', eu: true },
  { code: 'IE', name: 'Ireland', eu: true },
  { code: 'IT', name: 'Italy', eu: true },
  { code: 'LV', name: 'Latvia', eu: true },
  { code: 'LT', name: 'Lithuania', eu: true },
  { code: 'LU', name: 'Luxembourg', eu: true },
  { code: 'MT', name: 'Malta', eu: true },
  { code: 'NL', name: 'Netherlands', eu: true },
  { code: 'PL', name: 'Poland', eu: true },
  { code: 'PT', name: 'Portugal', eu: true },
  { code: 'RO', name: 'Romania', eu: true },
  { code: 'SK', name: 'Slovakia', eu: true },
  { code: 'SI', name: 'Slovenia', eu: true },
  { code: 'ES', name: 'Spain', eu: true },
  { code: 'SE', name: 'Sweden', eu: true },
  { code: 'IS', name: 'Iceland', eu: false },
  { code: 'LI', name: 'Liechtenstein', eu: false },
  { code: 'NO', name: 'Norway', eu: false },
  { code: 'CH', name: 'Switzerland', eu: false },
] as const;

export type CountryCode = (typeof COUNTRIES)[number]['code'];
export const COUNTRY_CODE_PATTERN = '^[A-Z]{2}$';
