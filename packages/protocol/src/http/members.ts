import { Type, type Static } from 'typebox';
import { TimestampMs } from '../ids.js';
import { CountryCodeSchema, PasswordInput, RoleGrant, StrictObject, Text, UserSummary } from './common.js';

/**
 * Which accounts `GET /members` lists. `active` is the directory every member reads; `suspended` and `invited`
 * are for moderation (the `members.suspend` permission: a Secretariat admin, or an NCP for their own countries).
 * Removed accounts are never listed.
 */
export type MemberListStatus = Static<typeof MemberListStatus>;
export const MemberListStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('suspended'),
  Type.Literal('invited'),
]);

/** The member directory: members by display name, a page at a time (active ones unless `status` says). */
export type MemberListQuery = Static<typeof MemberListQuery>;
export const MemberListQuery = StrictObject({
  /** `active` when absent. */
  status: Type.Optional(MemberListStatus),
  countryCode: Type.Optional(CountryCodeSchema),
  /** Part of the display name, case-insensitive. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  /** `nextCursor` of the previous page. */
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' })),
});

export type MemberListResponse = Static<typeof MemberListResponse>;
export const MemberListResponse = StrictObject({
  members: Type.Array(UserSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/**
 * One member. `email` and `statusReason` are present only for a Secretariat admin: the directory never shows
 * e-mail addresses to other members.
 */
export type MemberDetail = Static<typeof MemberDetail>;
export const MemberDetail = StrictObject({
  ...UserSummary.properties,
  position: Type.Union([Type.String(), Type.Null()]),
  createdAt: TimestampMs.Schema,
  email: Type.Optional(Type.String()),
  statusReason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export type MemberResponse = Static<typeof MemberResponse>;
export const MemberResponse = StrictObject({ member: MemberDetail });

/** Suspend or remove a member: the reason is stored and e-mailed to them. */
export type MemberReasonRequest = Static<typeof MemberReasonRequest>;
export const MemberReasonRequest = StrictObject({ reason: Text(5, 1000) });

/** Grant or revoke a role: `scope` is the country code for `ncp`, the TIG id for `tig_lead`, absent otherwise. */
export type RoleChangeRequest = Static<typeof RoleChangeRequest>;
export const RoleChangeRequest = RoleGrant;

/** Leave the service: the password confirms it is really the member. */
export type LeaveRequest = Static<typeof LeaveRequest>;
export const LeaveRequest = StrictObject({ password: PasswordInput });
