/**
 * ENLETS end-to-end encryption: MLS (RFC 9420) through ts-mls behind a thin interface, device credentials,
 * identity keys, key packages, attachments and recovery. Isomorphic: runs unchanged in Node 20 and the browser.
 */
export * from './credential.js';
export * from './provider.js';
