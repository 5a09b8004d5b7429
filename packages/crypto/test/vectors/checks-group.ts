import type { CiphersuiteImpl, ClientState, MlsContext } from 'ts-mls';
import { mls } from './library.js';
import { hpkeKeysMatch, toHex } from './checks-tree.js';
import { bytes, decoded, expectBytes, expectTrue, VectorMismatch } from './expect.js';

/** welcome.json: a joiner opens the Welcome's group secrets and GroupInfo, whose tag and signature verify. */
export interface WelcomeVector {
  cipher_suite: number;
  init_priv: string;
  signer_pub: string;
  key_package: string;
  welcome: string;
}

export async function checkWelcome(v: WelcomeVector, cs: CiphersuiteImpl): Promise<void> {
  const { index } = mls;
  const welcomeMessage = decoded(index.mlsMessageDecoder, v.welcome, 'welcome');
  const packageMessage = decoded(index.mlsMessageDecoder, v.key_package, 'key_package');
  if (welcomeMessage.wireformat !== index.wireformats.mls_welcome) throw new VectorMismatch('not a Welcome');
  if (packageMessage.wireformat !== index.wireformats.mls_key_package)
    throw new VectorMismatch('not a KeyPackage');
  const welcome = welcomeMessage.welcome;
  const ref = await index.makeKeyPackageRef(packageMessage.keyPackage, cs.hash);
  expectTrue(
    welcome.secrets.some((s) => toHex(s.newMember) === toHex(ref)),
    'the Welcome names the KeyPackage',
  );
  const initKey = await cs.hpke.importPrivateKey(bytes(v.init_priv));
  const secrets = await mls.welcome.decryptGroupSecrets(initKey, ref, welcome, cs.hpke);
  if (secrets === undefined) throw new VectorMismatch('group secrets do not decrypt');
  const noPsk = new Uint8Array(cs.kdf.size);
  const groupInfo = await mls.welcome.decryptGroupInfo(welcome, secrets.joinerSecret, noPsk, cs);
  if (groupInfo === undefined) throw new VectorMismatch('GroupInfo does not decrypt');
  expectTrue(
    await mls.groupInfo.verifyGroupInfoConfirmationTag(groupInfo, secrets.joinerSecret, noPsk, cs),
    'GroupInfo confirmation tag',
  );
  expectTrue(
    await mls.groupInfo.verifyGroupInfoSignature(groupInfo, bytes(v.signer_pub), cs.signature),
    'GroupInfo signature',
  );
}

/**
 * passive-client-*.json: a client joins by Welcome and follows the group epoch by epoch (proposals by
 * reference, then the commit), with the expected epoch authenticator after each step.
 */
export interface PassiveClientVector {
  cipher_suite: number;
  external_psks: { psk_id: string; psk: string }[];
  key_package: string;
  signature_priv: string;
  encryption_priv: string;
  init_priv: string;
  welcome: string;
  ratchet_tree: string | null;
  initial_epoch_authenticator: string;
  epochs: { proposals: string[]; commit: string; epoch_authenticator: string }[];
}

export async function checkPassiveClient(v: PassiveClientVector, cs: CiphersuiteImpl): Promise<void> {
  const { index } = mls;
  const packageMessage = decoded(index.mlsMessageDecoder, v.key_package, 'key_package');
  const welcomeMessage = decoded(index.mlsMessageDecoder, v.welcome, 'welcome');
  if (packageMessage.wireformat !== index.wireformats.mls_key_package)
    throw new VectorMismatch('not a KeyPackage');
  if (welcomeMessage.wireformat !== index.wireformats.mls_welcome) throw new VectorMismatch('not a Welcome');
  const keyPackage = packageMessage.keyPackage;
  expectTrue(
    await hpkeKeysMatch(keyPackage.leafNode.hpkePublicKey, bytes(v.encryption_priv), cs),
    'encryption_priv matches the KeyPackage',
  );
  expectTrue(
    await hpkeKeysMatch(keyPackage.initKey, bytes(v.init_priv), cs),
    'init_priv matches the KeyPackage',
  );
  const probe = cs.rng.randomBytes(32);
  expectTrue(
    await cs.signature.verify(
      keyPackage.leafNode.signaturePublicKey,
      probe,
      await cs.signature.sign(bytes(v.signature_priv), probe),
    ),
    'signature_priv matches the KeyPackage',
  );

  const context: MlsContext = {
    cipherSuite: cs,
    // The vectors' credentials are test identities; authenticating them is not what these vectors test.
    authService: index.unsafeTestingAuthenticationService,
    externalPsks: Object.fromEntries(
      v.external_psks.map((p) => [index.bytesToBase64(bytes(p.psk_id)), bytes(p.psk)]),
    ),
  };
  let state: ClientState = await index.joinGroup({
    context,
    welcome: welcomeMessage.welcome,
    keyPackage,
    privateKeys: {
      initPrivateKey: bytes(v.init_priv),
      hpkePrivateKey: bytes(v.encryption_priv),
      signaturePrivateKey: bytes(v.signature_priv),
    },
    ...(v.ratchet_tree === null
      ? {}
      : { ratchetTree: decoded(mls.ratchetTree.ratchetTreeDecoder, v.ratchet_tree, 'ratchet_tree') }),
  });
  expectBytes(
    state.keySchedule.epochAuthenticator,
    v.initial_epoch_authenticator,
    'initial epoch authenticator',
  );

  for (const [n, epoch] of v.epochs.entries()) {
    for (const [p, proposal] of epoch.proposals.entries()) {
      state = await applyMessage(context, state, proposal, `epoch ${n} proposal ${p}`);
    }
    state = await applyMessage(context, state, epoch.commit, `epoch ${n} commit`);
    expectBytes(state.keySchedule.epochAuthenticator, epoch.epoch_authenticator, `epoch ${n} authenticator`);
  }
}

async function applyMessage(context: MlsContext, state: ClientState, hex: string, what: string) {
  const message = decoded(mls.index.mlsMessageDecoder, hex, what);
  const { wireformats } = mls.index;
  if (
    message.wireformat !== wireformats.mls_public_message &&
    message.wireformat !== wireformats.mls_private_message
  ) {
    throw new VectorMismatch(`${what} is neither a PublicMessage nor a PrivateMessage`);
  }
  return (await mls.index.processMessage({ context, state, message })).newState;
}
