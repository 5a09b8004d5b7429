import { decode, mlsMessageDecoder, wireformats } from 'ts-mls';

/**
 * The epoch an MLS group message (PublicMessage or PrivateMessage) was made at, read from its unprotected
 * header without any key; undefined for anything else. Clients use it to skip a handshake they have already
 * applied (their own accepted commit coming back through the conversation log, or commits from before they
 * joined) instead of feeding it to the group and getting a refusal.
 */
export function peekMlsEpoch(bytes: Uint8Array): bigint | undefined {
  let message;
  try {
    message = decode(mlsMessageDecoder, bytes);
  } catch {
    return undefined;
  }
  if (message === undefined) return undefined;
  if (message.wireformat === wireformats.mls_public_message) return message.publicMessage.content.epoch;
  if (message.wireformat === wireformats.mls_private_message) return message.privateMessage.epoch;
  return undefined;
}
