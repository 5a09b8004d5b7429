import { Type, type Static } from 'typebox';
import { AgencyId, ApplicationId, TimestampMs, UserId } from '../ids.js';
import { CountryCodeSchema, Email, OpaqueToken, StrictObject, Text } from './common.js';

/** Mirrors APPLICATION_STATUSES (written out so the static type is the union, not `never`). */
export const ApplicationStatusSchema = Type.Union([
  Type.Literal('email_unverified'),
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
]);

/**
 * A practitioner applies for membership. The answer is always 202 whatever the e-mail address (no account
 * enumeration); the next step is the link in the verification mail. Give `agencyId` for a listed agency or
 * `agencyName` for one that is not listed yet (not both).
 */
export type ApplyRequest = Static<typeof ApplyRequest>;
export const ApplyRequest = StrictObject({
  email: Email,
  displayName: Text(1, 120),
  countryCode: CountryCodeSchema,
  agencyId: Type.Optional(AgencyId.Schema),
  agencyName: Type.Optional(Text(2, 200)),
  position: Text(1, 200, 'Role or position in the agency'),
  justification: Text(20, 2000, 'Why the applicant needs access to the network'),
});

export type VerifyApplicationRequest = Static<typeof VerifyApplicationRequest>;
export const VerifyApplicationRequest = StrictObject({ token: OpaqueToken });

export type VerifyApplicationResponse = Static<typeof VerifyApplicationResponse>;
export const VerifyApplicationResponse = StrictObject({ status: Type.Literal('pending') });

export type ApplicationListQuery = Static<typeof ApplicationListQuery>;
export const ApplicationListQuery = StrictObject({
  /** Without it: every verified application (pending, approved, rejected). */
  status: Type.Optional(ApplicationStatusSchema),
  countryCode: Type.Optional(CountryCodeSchema),
});

export type Application = Static<typeof Application>;
export const Application = StrictObject({
  id: ApplicationId.Schema,
  email: Type.String(),
  displayName: Type.String(),
  countryCode: Type.String(),
  agencyId: Type.Union([AgencyId.Schema, Type.Null()]),
  agencyName: Type.Union([Type.String(), Type.Null()]),
  position: Type.String(),
  justification: Type.String(),
  status: ApplicationStatusSchema,
  createdAt: TimestampMs.Schema,
  verifiedAt: Type.Union([TimestampMs.Schema, Type.Null()]),
  decidedAt: Type.Union([TimestampMs.Schema, Type.Null()]),
  decidedBy: Type.Union([UserId.Schema, Type.Null()]),
  /** The rejection reason, or the approval note. */
  decisionReason: Type.Union([Type.String(), Type.Null()]),
  /** The account created on approval. */
  userId: Type.Union([UserId.Schema, Type.Null()]),
});

export type ApplicationListResponse = Static<typeof ApplicationListResponse>;
export const ApplicationListResponse = StrictObject({ applications: Type.Array(Application) });

export type ApplicationResponse = Static<typeof ApplicationResponse>;
export const ApplicationResponse = StrictObject({ application: Application });

export type ApproveApplicationRequest = Static<typeof ApproveApplicationRequest>;
export const ApproveApplicationRequest = StrictObject({ note: Type.Optional(Text(1, 1000)) });

/** The reason is e-mailed to the applicant. */
export type RejectApplicationRequest = Static<typeof RejectApplicationRequest>;
export const RejectApplicationRequest = StrictObject({ reason: Text(5, 1000) });
