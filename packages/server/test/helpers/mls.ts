import { randomBytes } from 'node:crypto';
import { contentTypes, encode, mlsMessageEncoder, protocolVersions, wireformats } from 'ts-mls';

/**
 * An MLS PrivateMessage of a conversation's group as the server sees one: a well-formed header (group, epoch,
 * content type) around random bytes in place of ciphertext. The server admits content into an encrypted
 * conversation by that header alone (MLS_MESSAGE_REQUIRED otherwise); no member can decrypt it, so a client
 * shows it as refused. For suites about what the server admits and about rogue senders.
 */
export function privateMessageBytes(conversationId: string, epoch = 1): Uint8Array {
  return encode(mlsMessageEncoder, {
    version: protocolVersions.mls10,
    wireformat: wireformats.mls_private_message,
    privateMessage: {
      groupId: new TextEncoder().encode(conversationId),
      epoch: BigInt(epoch),
      contentType: contentTypes.application,
      authenticatedData: new Uint8Array(),
      encryptedSenderData: randomBytes(32),
      ciphertext: randomBytes(64),
    },
  });
}
