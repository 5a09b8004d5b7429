import { Type, type Static } from 'typebox';
import { StrictObject, Email, Password, OpaqueToken, Text } from './common.js';

export type SetupStatusResponse = Static<typeof SetupStatusResponse>;
export const SetupStatusResponse = StrictObject({ needsSetup: Type.Boolean() });

/** Creates the first Secretariat admin with the one-time link printed on the first start. */
export type SetupRequest = Static<typeof SetupRequest>;
export const SetupRequest = StrictObject({
  token: OpaqueToken,
  email: Email,
  displayName: Text(1, 120),
  password: Password,
});
