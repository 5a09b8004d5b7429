/**
 * The contract between server and clients: schemas of every REST body, error codes, ids, roles. Pure and
 * isomorphic: no I/O, no Node or DOM APIs.
 */
export const PROTOCOL_VERSION = 1;
/** Bumped with a line in docs/protocol.md whenever a client-visible feature is added. */
export const API_FEATURE_LEVEL = 3;
export const API_PREFIX = '/api/v1';

export * from './errors.js';
export * from './ids.js';
export * from './roles.js';
export * from './availability.js';
export * from './countries.js';
export * from './http/common.js';
export * from './http/health.js';
export * from './http/setup.js';
export * from './http/auth.js';
export * from './http/passkeys.js';
export * from './http/admin.js';
export * from './http/directory.js';
export * from './http/membership.js';
export * from './http/members.js';
export * from './messaging.js';
export * from './http/messaging.js';
export * from './http/attachments.js';
export * from './http/conversations.js';
export * from './http/channels.js';
export * from './http/deliveries.js';
export * from './http/e2ee.js';
export * from './http/e2ee-recovery.js';
export * from './http/history-sharing.js';
export * from './http/push.js';
export * from './realtime/frames.js';
