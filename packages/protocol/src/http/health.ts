import { Type } from 'typebox';
import { StrictObject } from './common.js';

export const HealthResponse = StrictObject({ status: Type.Literal('ok'), version: Type.String() });
export const ReadyResponse = StrictObject({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: StrictObject({ database: Type.Boolean(), migrations: Type.Boolean() }),
});
