import { Type, type Static } from 'typebox';
import { AgencyId, UserId } from '../ids.js';
import { CountryCodeSchema, StrictObject, Text, UserSummary } from './common.js';

/** The static type of the shared `UserSummary` schema: a member as the directory shows them. */
export type MemberSummary = Static<typeof UserSummary>;

/** A network country (public: the application form lists them). */
export type Country = Static<typeof Country>;
export const Country = StrictObject({
  code: Type.String(),
  name: Type.String(),
  /** Whether the country is an EU member state (the others are associated Schengen countries). */
  eu: Type.Boolean(),
});

export type CountryListResponse = Static<typeof CountryListResponse>;
export const CountryListResponse = StrictObject({ countries: Type.Array(Country) });

export type CountryParams = Static<typeof CountryParams>;
export const CountryParams = StrictObject({ code: CountryCodeSchema });

export type Agency = Static<typeof Agency>;
export const Agency = StrictObject({
  id: AgencyId.Schema,
  countryCode: Type.String(),
  name: Type.String(),
});

/** A National Contact Point as the directory shows them: no e-mail address. */
export type NcpSummary = Static<typeof NcpSummary>;
export const NcpSummary = StrictObject({ id: UserId.Schema, displayName: Type.String() });

/** A country with its NCPs and agencies (members only). */
export type CountryDetail = Static<typeof CountryDetail>;
export const CountryDetail = StrictObject({
  code: Type.String(),
  name: Type.String(),
  eu: Type.Boolean(),
  ncps: Type.Array(NcpSummary),
  agencies: Type.Array(Agency),
});

export type AgencyListQuery = Static<typeof AgencyListQuery>;
export const AgencyListQuery = StrictObject({ countryCode: Type.Optional(CountryCodeSchema) });

export type AgencyListResponse = Static<typeof AgencyListResponse>;
export const AgencyListResponse = StrictObject({ agencies: Type.Array(Agency) });

/** Adds an agency; an NCP only for their own country. */
export type CreateAgencyRequest = Static<typeof CreateAgencyRequest>;
export const CreateAgencyRequest = StrictObject({
  countryCode: CountryCodeSchema,
  name: Text(2, 200, 'The agency name as it is written in its country'),
});

export type AgencyResponse = Static<typeof AgencyResponse>;
export const AgencyResponse = StrictObject({ agency: Agency });

/** The Core Group: holders of the core_group role. */
export type CoreGroupResponse = Static<typeof CoreGroupResponse>;
export const CoreGroupResponse = StrictObject({ members: Type.Array(UserSummary) });
