import type { CiphersuiteImpl, GroupContext } from 'ts-mls';
import { mls } from './library.js';
import { bytes, decoded, expectBytes, expectEqual, expectTrue, VectorMismatch } from './expect.js';

/** crypto-basics.json: RefHash, ExpandWithLabel, DeriveSecret, DeriveTreeSecret, Sign/EncryptWithLabel. */
export interface CryptoBasicsVector {
  cipher_suite: number;
  ref_hash: { label: string; value: string; out: string };
  expand_with_label: { secret: string; label: string; context: string; length: number; out: string };
  derive_secret: { secret: string; label: string; out: string };
  derive_tree_secret: { secret: string; label: string; generation: number; length: number; out: string };
  sign_with_label: { priv: string; pub: string; content: string; label: string; signature: string };
  encrypt_with_label: {
    priv: string;
    pub: string;
    label: string;
    context: string;
    plaintext: string;
    kem_output: string;
    ciphertext: string;
  };
}

export async function checkCryptoBasics(v: CryptoBasicsVector, cs: CiphersuiteImpl): Promise<void> {
  const { ref_hash: r, expand_with_label: e, derive_secret: d, derive_tree_secret: t } = v;
  expectBytes(await mls.hash.refhash(r.label, bytes(r.value), cs.hash), r.out, 'ref_hash');
  expectBytes(
    await mls.kdf.expandWithLabel(bytes(e.secret), e.label, bytes(e.context), e.length, cs.kdf),
    e.out,
    'expand_with_label',
  );
  expectBytes(await mls.kdf.deriveSecret(bytes(d.secret), d.label, cs.kdf), d.out, 'derive_secret');
  expectBytes(
    await mls.kdf.deriveTreeSecret(bytes(t.secret), t.label, t.generation, t.length, cs.kdf),
    t.out,
    'derive_tree_secret',
  );

  const s = v.sign_with_label;
  const verify = (signature: Uint8Array) =>
    mls.signature.verifyWithLabel(bytes(s.pub), s.label, bytes(s.content), signature, cs.signature);
  expectTrue(await verify(bytes(s.signature)), 'VerifyWithLabel of the vector signature');
  const ours = await mls.signature.signWithLabel(bytes(s.priv), s.label, bytes(s.content), cs.signature);
  expectTrue(await verify(ours), 'VerifyWithLabel of our signature');

  const h = v.encrypt_with_label;
  const privateKey = await cs.hpke.importPrivateKey(bytes(h.priv));
  const opened = await mls.hpke.decryptWithLabel(
    privateKey,
    h.label,
    bytes(h.context),
    bytes(h.kem_output),
    bytes(h.ciphertext),
    cs.hpke,
  );
  expectBytes(opened, h.plaintext, 'DecryptWithLabel of the vector ciphertext');
  const sealed = await mls.hpke.encryptWithLabel(
    await cs.hpke.importPublicKey(bytes(h.pub)),
    h.label,
    bytes(h.context),
    bytes(h.plaintext),
    cs.hpke,
  );
  const reopened = await mls.hpke.decryptWithLabel(
    privateKey,
    h.label,
    bytes(h.context),
    sealed.enc,
    sealed.ct,
    cs.hpke,
  );
  expectBytes(reopened, h.plaintext, 'DecryptWithLabel of our ciphertext');
}

/** key-schedule.json: a chain of epochs through the key schedule (RFC 9420 §8). */
export interface KeyScheduleVector {
  cipher_suite: number;
  group_id: string;
  initial_init_secret: string;
  epochs: {
    tree_hash: string;
    commit_secret: string;
    psk_secret: string;
    confirmed_transcript_hash: string;
    group_context: string;
    joiner_secret: string;
    welcome_secret: string;
    init_secret: string;
    sender_data_secret: string;
    encryption_secret: string;
    exporter_secret: string;
    epoch_authenticator: string;
    external_secret: string;
    confirmation_key: string;
    membership_key: string;
    resumption_psk: string;
    external_pub: string;
    exporter: { label: string; context: string; length: number; secret: string };
  }[];
}

export function groupContext(
  suite: number,
  groupId: string,
  epoch: number | bigint,
  treeHash: Uint8Array,
  confirmedTranscriptHash: string,
): GroupContext {
  return {
    version: mls.index.protocolVersions.mls10,
    cipherSuite: suite,
    groupId: bytes(groupId),
    epoch: BigInt(epoch),
    treeHash,
    confirmedTranscriptHash: bytes(confirmedTranscriptHash),
    extensions: [],
  };
}

export async function checkKeySchedule(v: KeyScheduleVector, cs: CiphersuiteImpl): Promise<void> {
  let initSecret = bytes(v.initial_init_secret);
  for (const [index, e] of v.epochs.entries()) {
    const at = `epoch ${index}`;
    const context = groupContext(
      v.cipher_suite,
      v.group_id,
      index,
      bytes(e.tree_hash),
      e.confirmed_transcript_hash,
    );
    expectBytes(
      mls.index.encode(mls.groupContext.groupContextEncoder, context),
      e.group_context,
      `${at} group_context`,
    );
    const epoch = await mls.keySchedule.initializeEpoch(
      initSecret,
      bytes(e.commit_secret),
      context,
      bytes(e.psk_secret),
      cs.kdf,
    );
    const k = epoch.keySchedule;
    const expected: [Uint8Array, string, string][] = [
      [epoch.joinerSecret, e.joiner_secret, 'joiner_secret'],
      [epoch.welcomeSecret, e.welcome_secret, 'welcome_secret'],
      [epoch.encryptionSecret, e.encryption_secret, 'encryption_secret'],
      [k.initSecret, e.init_secret, 'init_secret'],
      [k.senderDataSecret, e.sender_data_secret, 'sender_data_secret'],
      [k.exporterSecret, e.exporter_secret, 'exporter_secret'],
      [k.externalSecret, e.external_secret, 'external_secret'],
      [k.confirmationKey, e.confirmation_key, 'confirmation_key'],
      [k.membershipKey, e.membership_key, 'membership_key'],
      [k.resumptionPsk, e.resumption_psk, 'resumption_psk'],
      [k.epochAuthenticator, e.epoch_authenticator, 'epoch_authenticator'],
    ];
    for (const [actual, hex, name] of expected) expectBytes(actual, hex, `${at} ${name}`);
    const external = await cs.hpke.deriveKeyPair(bytes(e.external_secret));
    expectBytes(await cs.hpke.exportPublicKey(external.publicKey), e.external_pub, `${at} external_pub`);
    const exported = await mls.keySchedule.mlsExporter(
      k.exporterSecret,
      e.exporter.label,
      bytes(e.exporter.context),
      e.exporter.length,
      cs,
    );
    expectBytes(exported, e.exporter.secret, `${at} exporter`);
    initSecret = k.initSecret;
  }
}

/** psk_secret.json: the psk_secret chain over external PSKs (RFC 9420 §8.4). */
export interface PskSecretVector {
  cipher_suite: number;
  psks: { psk_id: string; psk: string; psk_nonce: string }[];
  psk_secret: string;
}

export async function checkPskSecret(v: PskSecretVector, cs: CiphersuiteImpl): Promise<void> {
  const external = mls.index.pskTypes.external;
  const psks = v.psks.map(
    (p) =>
      [{ psktype: external, pskId: bytes(p.psk_id), pskNonce: bytes(p.psk_nonce) }, bytes(p.psk)] as const,
  );
  expectBytes(
    await mls.presharedKey.computePskSecret(
      psks.map(([id, psk]) => [id, psk]),
      cs,
    ),
    v.psk_secret,
    'psk_secret',
  );
}

/** secret-tree.json: sender-data keys and the per-leaf application/handshake ratchets (RFC 9420 §9). */
export interface SecretTreeVector {
  cipher_suite: number;
  sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
  encryption_secret: string;
  leaves: {
    generation: number;
    application_key: string;
    application_nonce: string;
    handshake_key: string;
    handshake_nonce: string;
  }[][];
}

export async function checkSecretTree(v: SecretTreeVector, cs: CiphersuiteImpl): Promise<void> {
  const sd = v.sender_data;
  const secret = bytes(sd.sender_data_secret);
  const ciphertext = bytes(sd.ciphertext);
  expectBytes(await mls.sender.expandSenderDataKey(cs, secret, ciphertext), sd.key, 'sender data key');
  expectBytes(await mls.sender.expandSenderDataNonce(cs, secret, ciphertext), sd.nonce, 'sender data nonce');

  const { contentTypes, defaultKeyRetentionConfig } = mls.index;
  let tree = mls.secretTree.createSecretTree(v.leaves.length, bytes(v.encryption_secret));
  for (const [leaf, generations] of v.leaves.entries()) {
    for (const g of generations) {
      const at = `leaf ${leaf} generation ${g.generation}`;
      const senderData = {
        leafIndex: mls.treeMath.toLeafIndex(leaf),
        generation: g.generation,
        reuseGuard: new Uint8Array(4),
      } as Parameters<typeof mls.secretTree.ratchetToGeneration>[1];
      const application = await mls.secretTree.ratchetToGeneration(
        tree,
        senderData,
        contentTypes.application,
        defaultKeyRetentionConfig,
        cs,
      );
      expectEqual(application.generation, g.generation, `${at} application generation`);
      expectBytes(application.key, g.application_key, `${at} application key`);
      expectBytes(application.nonce, g.application_nonce, `${at} application nonce`);
      const handshake = await mls.secretTree.ratchetToGeneration(
        application.newTree,
        senderData,
        contentTypes.commit,
        defaultKeyRetentionConfig,
        cs,
      );
      expectEqual(handshake.generation, g.generation, `${at} handshake generation`);
      expectBytes(handshake.key, g.handshake_key, `${at} handshake key`);
      expectBytes(handshake.nonce, g.handshake_nonce, `${at} handshake nonce`);
      tree = handshake.newTree;
    }
  }
}

/** transcript-hashes.json: confirmation tag, confirmed and interim transcript hashes (RFC 9420 §8.2). */
export interface TranscriptHashesVector {
  cipher_suite: number;
  confirmation_key: string;
  authenticated_content: string;
  interim_transcript_hash_before: string;
  confirmed_transcript_hash_after: string;
  interim_transcript_hash_after: string;
}

export async function checkTranscriptHashes(v: TranscriptHashesVector, cs: CiphersuiteImpl): Promise<void> {
  const commit = mls.index.contentTypes.commit;
  const content = decoded(
    mls.authenticatedContent.authenticatedContentDecoder,
    v.authenticated_content,
    'authenticated_content',
  );
  if (content.content.contentType !== commit || content.auth.contentType !== commit) {
    throw new VectorMismatch('authenticated_content is not a commit');
  }
  const tag = content.auth.confirmationTag;
  expectTrue(
    await cs.hash.verifyMac(bytes(v.confirmation_key), tag, bytes(v.confirmed_transcript_hash_after)),
    'confirmation tag',
  );
  const confirmed = await mls.transcriptHash.createConfirmedHash(
    bytes(v.interim_transcript_hash_before),
    { wireformat: content.wireformat, content: content.content, signature: content.auth.signature },
    cs.hash,
  );
  expectBytes(confirmed, v.confirmed_transcript_hash_after, 'confirmed_transcript_hash_after');
  expectBytes(
    await mls.transcriptHash.createInterimHash(confirmed, tag, cs.hash),
    v.interim_transcript_hash_after,
    'interim_transcript_hash_after',
  );
}
