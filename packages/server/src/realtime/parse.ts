import sjson from 'secure-json-parse';
import { Compile } from 'typebox/compile';
import {
  AuthFrame,
  ClientFrame,
  DeliveredFrame,
  PingFrame,
  PresenceFrame,
  ReadFrame,
  SendFrame,
  SyncFrame,
  TypingFrame,
  type ErrorCode,
} from '@enlets/protocol';

const anyFrame = Compile(ClientFrame);
/** One validator per frame type, so a mismatch is explained against the frame the client meant. */
const byType: Readonly<Record<string, ReturnType<typeof Compile>>> = {
  auth: Compile(AuthFrame),
  send: Compile(SendFrame),
  sync: Compile(SyncFrame),
  read: Compile(ReadFrame),
  typing: Compile(TypingFrame),
  presence: Compile(PresenceFrame),
  ping: Compile(PingFrame),
  delivered: Compile(DeliveredFrame),
};
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_ISSUES = 5;

export type Parsed =
  | { readonly ok: true; readonly frame: ClientFrame }
  | {
      readonly ok: false;
      readonly code: ErrorCode;
      readonly message: string;
      /** The frame's requestId when it had a well-formed one, so the client can match the error. */
      readonly requestId: string | null;
      readonly details?: Readonly<Record<string, unknown>>;
    };

/** A client's text frame, parsed strictly (no `__proto__` keys) and validated against the frame contract. */
export function parseClientFrame(text: string): Parsed {
  let value: unknown;
  try {
    value = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    if (error instanceof SyntaxError && /prototype/i.test(error.message)) {
      return {
        ok: false,
        code: 'FORBIDDEN_KEY',
        message: 'the frame contains a forbidden key (__proto__ or constructor.prototype)',
        requestId: null,
      };
    }
    return { ok: false, code: 'MALFORMED_JSON', message: 'the frame is not valid JSON', requestId: null };
  }
  if (anyFrame.Check(value)) return { ok: true, frame: value };
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const requestId =
    typeof record['requestId'] === 'string' && REQUEST_ID.test(record['requestId'])
      ? record['requestId']
      : null;
  const type = record['type'];
  const validator = typeof type === 'string' && Object.hasOwn(byType, type) ? byType[type] : undefined;
  if (validator === undefined) {
    return {
      ok: false,
      code: 'VALIDATION_FAILED',
      message: `unknown frame type; expected one of ${Object.keys(byType).join(', ')}`,
      requestId,
    };
  }
  const issues = validator
    .Errors(value)
    .slice(0, MAX_ISSUES)
    .map((e) => ({ path: e.instancePath, message: e.message }));
  return {
    ok: false,
    code: 'VALIDATION_FAILED',
    message: `the ${String(type)} frame does not match its schema`,
    requestId,
    details: { issues },
  };
}
