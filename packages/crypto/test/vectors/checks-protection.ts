import type { CiphersuiteImpl, Commit, GroupContext, Proposal, RatchetTree, WireformatName } from 'ts-mls';
import { mls } from './library.js';
import { groupContext } from './checks-crypto.js';
import { bytes, decoded, expectBytes, expectRejects, VectorMismatch } from './expect.js';

/**
 * message-protection.json (RFC 9420 §6): the vector's PublicMessages and PrivateMessages (sent by leaf 1 of a
 * two-member group) open to the given proposal, commit and application data; and what the library protects
 * opens again to the same content.
 */
export interface MessageProtectionVector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_priv: string;
  signature_pub: string;
  encryption_secret: string;
  sender_data_secret: string;
  membership_key: string;
  proposal: string;
  proposal_priv: string;
  proposal_pub: string;
  commit: string;
  commit_priv: string;
  commit_pub: string;
  application: string;
  application_priv: string;
}

const SENDER_LEAF = 1;

export async function checkMessageProtection(v: MessageProtectionVector, cs: CiphersuiteImpl): Promise<void> {
  const { contentTypes, encode } = mls.index;
  const context = groupContext(
    v.cipher_suite,
    v.group_id,
    v.epoch,
    bytes(v.tree_hash),
    v.confirmed_transcript_hash,
  );
  const proposal = decoded(mls.proposal.proposalDecoder, v.proposal, 'proposal');
  const commit = decoded(mls.commit.commitDecoder, v.commit, 'commit');
  const keys = { signPub: bytes(v.signature_pub), signPriv: bytes(v.signature_priv) };
  const proposalBytes = (p: Proposal) => encode(mls.proposal.proposalEncoder, p);
  const commitBytes = (c: Commit) => encode(mls.commit.commitEncoder, c);

  // The vector's PublicMessages.
  for (const [field, expected] of [
    ['proposal_pub', 'proposal'],
    ['commit_pub', 'commit'],
  ] as const) {
    const opened = await openPublic(v, context, publicMessageOf(v[field], field), keys.signPub, cs);
    const content = opened.content;
    if (expected === 'proposal' && content.contentType === contentTypes.proposal) {
      expectBytes(proposalBytes(content.proposal), v.proposal, `${field} proposal`);
    } else if (expected === 'commit' && content.contentType === contentTypes.commit) {
      expectBytes(commitBytes(content.commit), v.commit, `${field} commit`);
    } else throw new VectorMismatch(`${field} has the wrong content type`);
  }

  // The vector's PrivateMessages.
  for (const field of ['proposal_priv', 'commit_priv', 'application_priv'] as const) {
    const opened = await openPrivate(v, context, privateMessageOf(v[field], field), keys.signPub, cs);
    expectContent(opened.content, field, v, proposalBytes, commitBytes);
  }

  // Application data never travels as a PublicMessage (RFC 9420 §6.2): protecting it so must fail.
  const application = await openPrivate(
    v,
    context,
    privateMessageOf(v.application_priv, 'app'),
    keys.signPub,
    cs,
  );
  await expectRejects(
    mls.messageProtectionPublic.protectPublicMessage(
      bytes(v.membership_key),
      context,
      { ...application, wireformat: mls.index.wireformats.mls_public_message },
      cs,
    ),
    'an application message protected as PublicMessage',
  );

  // Our own protection of the same content opens to it again.
  const secretTree = () => mls.secretTree.createSecretTree(2, bytes(v.encryption_secret));
  const padding = mls.index.defaultPaddingConfig;
  const noAad = new Uint8Array();
  const senderData = bytes(v.sender_data_secret);
  const ownPublicProposal = await mls.messageProtectionPublic.protectProposalPublic(
    keys.signPriv,
    bytes(v.membership_key),
    context,
    noAad,
    proposal,
    SENDER_LEAF,
    cs,
  );
  const reopenedProposal = await openPublic(v, context, ownPublicProposal.publicMessage, keys.signPub, cs);
  if (reopenedProposal.content.contentType !== contentTypes.proposal)
    throw new VectorMismatch('own public proposal');
  expectBytes(proposalBytes(reopenedProposal.content.proposal), v.proposal, 'own public proposal');

  const signedCommit = async (wireformat: WireformatName) => {
    const signed = await mls.framedContent.createContentCommitSignature(
      context,
      wireformat,
      commit,
      { leafIndex: SENDER_LEAF, senderType: mls.index.senderTypes.member },
      noAad,
      keys.signPriv,
      cs.signature,
    );
    // Any tag will do: message protection carries it, the key schedule checks it.
    const confirmationTag = cs.rng.randomBytes(cs.kdf.size);
    return { ...signed, confirmationTag };
  };
  const publicCommit = await signedCommit('mls_public_message');
  const ownPublicCommit = await mls.messageProtectionPublic.protectPublicMessage(
    bytes(v.membership_key),
    context,
    {
      wireformat: mls.index.wireformats.mls_public_message,
      content: publicCommit.framedContent,
      auth: {
        contentType: contentTypes.commit,
        signature: publicCommit.signature,
        confirmationTag: publicCommit.confirmationTag,
      },
    },
    cs,
  );
  const reopenedCommit = await openPublic(v, context, ownPublicCommit, keys.signPub, cs);
  if (reopenedCommit.content.contentType !== contentTypes.commit)
    throw new VectorMismatch('own public commit');
  expectBytes(commitBytes(reopenedCommit.content.commit), v.commit, 'own public commit');

  const ownPrivateProposal = await mls.messageProtection.protectProposal(
    keys.signPriv,
    senderData,
    proposal,
    noAad,
    context,
    secretTree(),
    SENDER_LEAF,
    padding,
    cs,
  );
  expectContent(
    (await openPrivate(v, context, ownPrivateProposal.privateMessage, keys.signPub, cs)).content,
    'own private proposal',
    v,
    proposalBytes,
    commitBytes,
  );
  const ownApplication = await mls.messageProtection.protectApplicationData(
    keys.signPriv,
    senderData,
    bytes(v.application),
    noAad,
    context,
    secretTree(),
    SENDER_LEAF,
    padding,
    cs,
  );
  expectContent(
    (await openPrivate(v, context, ownApplication.privateMessage, keys.signPub, cs)).content,
    'own application message',
    v,
    proposalBytes,
    commitBytes,
  );
  const privateCommit = await signedCommit('mls_private_message');
  const ownPrivateCommit = await mls.messageProtection.protect(
    senderData,
    noAad,
    context,
    secretTree(),
    {
      ...privateCommit.framedContent,
      auth: {
        contentType: contentTypes.commit,
        signature: privateCommit.signature,
        confirmationTag: privateCommit.confirmationTag,
      },
    },
    SENDER_LEAF,
    padding,
    cs,
  );
  expectContent(
    (await openPrivate(v, context, ownPrivateCommit.privateMessage, keys.signPub, cs)).content,
    'own private commit',
    v,
    proposalBytes,
    commitBytes,
  );
}

function publicMessageOf(hex: string, what: string) {
  const message = decoded(mls.index.mlsMessageDecoder, hex, what);
  if (message.wireformat !== mls.index.wireformats.mls_public_message)
    throw new VectorMismatch(`${what} wire format`);
  return message.publicMessage;
}

function privateMessageOf(hex: string, what: string) {
  const message = decoded(mls.index.mlsMessageDecoder, hex, what);
  if (message.wireformat !== mls.index.wireformats.mls_private_message) {
    throw new VectorMismatch(`${what} wire format`);
  }
  return message.privateMessage;
}

function openPublic(
  v: MessageProtectionVector,
  context: GroupContext,
  message: Parameters<typeof mls.messageProtectionPublic.unprotectPublicMessage>[3],
  signaturePublicKey: Uint8Array,
  cs: CiphersuiteImpl,
) {
  return mls.messageProtectionPublic.unprotectPublicMessage(
    bytes(v.membership_key),
    context,
    [],
    message,
    cs,
    signaturePublicKey,
  );
}

async function openPrivate(
  v: MessageProtectionVector,
  context: GroupContext,
  message: Parameters<typeof mls.messageProtection.unprotectPrivateMessage>[1],
  signaturePublicKey: Uint8Array,
  cs: CiphersuiteImpl,
) {
  const opened = await mls.messageProtection.unprotectPrivateMessage(
    bytes(v.sender_data_secret),
    message,
    mls.secretTree.createSecretTree(2, bytes(v.encryption_secret)),
    treeWithSenderLeaf(),
    context,
    mls.index.defaultKeyRetentionConfig,
    cs,
    signaturePublicKey,
  );
  return opened.content;
}

function expectContent(
  content: Awaited<ReturnType<typeof openPrivate>>['content'],
  what: string,
  v: MessageProtectionVector,
  proposalBytes: (p: Proposal) => Uint8Array,
  commitBytes: (c: Commit) => Uint8Array,
): void {
  const { contentTypes } = mls.index;
  switch (content.contentType) {
    case contentTypes.proposal:
      expectBytes(proposalBytes(content.proposal), v.proposal, `${what} proposal`);
      return;
    case contentTypes.commit:
      expectBytes(commitBytes(content.commit), v.commit, `${what} commit`);
      return;
    case contentTypes.application:
      expectBytes(content.applicationData, v.application, `${what} application data`);
      return;
  }
}

/**
 * A two-leaf tree whose leaf 1 is present: the library checks that a PrivateMessage's sender is a member. The
 * leaf's contents do not matter, the vector passes the sender's signature key explicitly.
 */
function treeWithSenderLeaf(): RatchetTree {
  const { nodeTypes, leafNodeSources, defaultCredentialTypes, defaultCapabilities } = mls.index;
  const empty = new Uint8Array();
  return [
    undefined,
    undefined,
    {
      nodeType: nodeTypes.leaf,
      leaf: {
        leafNodeSource: leafNodeSources.commit,
        hpkePublicKey: empty,
        signaturePublicKey: empty,
        capabilities: defaultCapabilities(),
        parentHash: empty,
        extensions: [],
        signature: empty,
        credential: { credentialType: defaultCredentialTypes.basic, identity: empty },
      },
    },
  ];
}
