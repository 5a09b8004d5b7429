import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  ciphersuite,
  decodeDeviceCredential,
  encodeDeviceCredential,
  signDeviceCredential,
  verifyDeviceCredential,
} from '@enlets/crypto';
import type { ConversationEvent, SessionId, UserId } from '@enlets/protocol';
import {
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  defaultCredentialTypes,
  encode,
  generateKeyPackageWithKey,
  joinGroup,
  makeKeyPackageRef,
  mlsMessageDecoder,
  mlsMessageEncoder,
  nodeTypes,
  processMessage,
  protocolVersions,
  wireformats,
  type AuthenticationService,
  type CiphersuiteImpl,
  type ClientState,
  type KeyPackage,
  type MlsContext,
  type MlsMessage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
import { hashToken } from '../../src/lib/secrets.js';
import { findLiveSessionByTokenHash } from '../../src/storage/repositories/sessions.js';
import type { TestActor } from '../helpers/actors.js';
import { codeOf, type ApiResponse } from '../helpers/http.js';
import type { TestServer } from '../helpers/server.js';

/**
 * A test-side E2EE device: real MLS through ts-mls (suite 1 through `@enlets/crypto`'s caching provider, as the product runs it)
 * and real device credentials signed with the user's identity key, talking to the server over HTTP. It is what
 * the ENLETS client will do, reduced to what the Delivery Service suites need.
 */

export const SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

let impl: CiphersuiteImpl | undefined;
export async function suite(): Promise<CiphersuiteImpl> {
  impl ??= await ciphersuite(SUITE);
  return impl;
}

/** Accepts a leaf only with an ENLETS device credential that binds its signature key (what clients check). */
const deviceCredentialAuth: AuthenticationService = {
  validateCredential(credential, signaturePublicKey) {
    if (credential.credentialType !== defaultCredentialTypes.basic || !('identity' in credential)) {
      return Promise.resolve(false);
    }
    try {
      return Promise.resolve(
        verifyDeviceCredential(decodeDeviceCredential(credential.identity), signaturePublicKey),
      );
    } catch {
      return Promise.resolve(false);
    }
  },
};

export async function mlsContext(): Promise<MlsContext> {
  return { cipherSuite: await suite(), authService: deviceCredentialAuth };
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
export const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));

export function encodeMessage(message: MlsMessage): string {
  return b64(encode(mlsMessageEncoder, message));
}

export function decodeMessage(text: string): MlsMessage {
  const decoded = mlsMessageDecoder(unb64(text), 0);
  assert.ok(decoded !== undefined, 'an MLS message');
  return decoded[0];
}

/** A user with an identity key pair (Ed25519) shared by their devices. */
export class E2eeUser {
  readonly identityPrivateKey = ed25519.utils.randomSecretKey();
  readonly identityKey = ed25519.getPublicKey(this.identityPrivateKey);
  constructor(
    readonly server: TestServer,
    readonly actor: TestActor,
  ) {}

  get id(): UserId {
    return this.actor.id;
  }

  async registerIdentity(): Promise<void> {
    const res = await this.server.api.put(
      '/api/v1/e2ee/identity',
      { identityKey: b64(this.identityKey) },
      { token: this.actor.token },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  /** The device of a signed-in session of this user (its token). */
  async device(token = this.actor.token): Promise<E2eeDevice> {
    const session = await findLiveSessionByTokenHash(
      this.server.database.db,
      hashToken(token),
      this.server.clock.now(),
    );
    assert.ok(session !== undefined, 'a live session');
    return new E2eeDevice(this, token, session.id);
  }
}

interface OwnKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
}

export interface PreparedCommit {
  readonly body: { epoch: number; commit: string; groupInfo: string; welcome?: string };
  readonly newState: ClientState;
}

export class E2eeDevice {
  state: ClientState | undefined;
  readonly #packages = new Map<string, OwnKeyPackage>();

  constructor(
    readonly user: E2eeUser,
    readonly token: string,
    readonly deviceId: SessionId,
  ) {}

  get api() {
    return this.user.server.api;
  }

  get epoch(): number {
    assert.ok(this.state !== undefined, 'in a group');
    return Number(this.state.groupContext.epoch);
  }

  /**
   * A KeyPackage of this device. `credentialFor` and `signWith` forge one for the negative tests: a credential
   * naming another (user, device), or signed by another identity key.
   */
  async keyPackage(
    options: { credentialFor?: { userId: string; deviceId: string }; signWith?: Uint8Array } = {},
  ): Promise<OwnKeyPackage & { readonly text: string }> {
    const cs = await suite();
    const signatureKeyPair = await cs.signature.keygen();
    const credential = signDeviceCredential({
      userId: options.credentialFor?.userId ?? this.user.id,
      deviceId: options.credentialFor?.deviceId ?? this.deviceId,
      identityPrivateKey: options.signWith ?? this.user.identityPrivateKey,
      leafSignaturePublicKey: signatureKeyPair.publicKey,
    });
    const generated = await generateKeyPackageWithKey({
      credential: {
        credentialType: defaultCredentialTypes.basic,
        identity: encodeDeviceCredential(credential),
      },
      signatureKeyPair,
      cipherSuite: cs,
      // The server's clock, not the machine's: the suites run on a hand-moved clock.
      lifetime: {
        notBefore: BigInt(Math.floor(this.user.server.clock.now() / 1000) - 3600),
        notAfter: BigInt(Math.floor(this.user.server.clock.now() / 1000) + 30 * 86_400),
      },
    });
    this.#packages.set(b64(await makeKeyPackageRef(generated.publicPackage, cs.hash)), generated);
    const text = encodeMessage({
      version: protocolVersions.mls10,
      wireformat: wireformats.mls_key_package,
      keyPackage: generated.publicPackage,
    });
    return { ...generated, text };
  }

  async uploadKeyPackages(oneTime: number, lastResort: boolean): Promise<ApiResponse> {
    const keyPackages: string[] = [];
    for (let i = 0; i < oneTime; i += 1) keyPackages.push((await this.keyPackage()).text);
    const body = lastResort ? { keyPackages, lastResort: (await this.keyPackage()).text } : { keyPackages };
    return this.api.post('/api/v1/e2ee/key-packages', body, { token: this.token });
  }

  async groupInfoOf(state: ClientState): Promise<string> {
    const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(state, [], await suite());
    return encodeMessage({
      version: protocolVersions.mls10,
      wireformat: wireformats.mls_group_info,
      groupInfo,
    });
  }

  /** Creates the conversation's group with this device as its only member and registers it (epoch 0). */
  async createGroup(conversationId: string): Promise<ApiResponse> {
    const own = await this.keyPackage();
    const state = await createGroup({
      context: await mlsContext(),
      groupId: new TextEncoder().encode(conversationId),
      keyPackage: own.publicPackage,
      privateKeyPackage: own.privatePackage,
    });
    const res = await this.api.post(
      `/api/v1/conversations/${conversationId}/mls/group`,
      { groupInfo: await this.groupInfoOf(state) },
      { token: this.token },
    );
    if (res.status === 200) this.state = state;
    return res;
  }

  /** A commit of this device at its current epoch (as a PublicMessage), not yet submitted. */
  async prepareCommit(
    proposals: Proposal[] = [],
    options: { ratchetTreeInWelcome?: boolean } = {},
  ): Promise<PreparedCommit> {
    assert.ok(this.state !== undefined, 'in a group');
    const result = await createCommit({
      context: await mlsContext(),
      state: this.state,
      extraProposals: proposals,
      wireAsPublicMessage: true,
      ratchetTreeExtension: options.ratchetTreeInWelcome ?? true,
    });
    return {
      body: {
        epoch: this.epoch,
        commit: encodeMessage(result.commit),
        groupInfo: await this.groupInfoOf(result.newState),
        ...(result.welcome === undefined ? {} : { welcome: encodeMessage(result.welcome) }),
      },
      newState: result.newState,
    };
  }

  /** Submits a prepared commit and adopts it only once the server accepted it. */
  async submit(conversationId: string, prepared: PreparedCommit): Promise<ApiResponse> {
    const res = await this.api.post(`/api/v1/conversations/${conversationId}/mls/commits`, prepared.body, {
      token: this.token,
    });
    if (res.status === 200) this.state = prepared.newState;
    return res;
  }

  async commit(conversationId: string, proposals: Proposal[] = []): Promise<ApiResponse> {
    return this.submit(conversationId, await this.prepareCommit(proposals));
  }

  /** The leaf index of a device in this device's view of the group's tree. */
  leafIndexOf(deviceId: string): number {
    assert.ok(this.state !== undefined, 'in a group');
    const index = this.state.ratchetTree.findIndex(
      (node, nodeIndex) =>
        nodeIndex % 2 === 0 &&
        node?.nodeType === nodeTypes.leaf &&
        'identity' in node.leaf.credential &&
        decodeDeviceCredential(node.leaf.credential.identity).deviceId === deviceId,
    );
    assert.ok(index >= 0, `${deviceId} has a leaf`);
    return index / 2;
  }

  /** Processes an `mls.commit` event of someone else. */
  async processCommit(event: ConversationEvent): Promise<void> {
    assert.ok(this.state !== undefined && event.payload !== null, 'in a group, a commit');
    const message = decodeMessage(Buffer.from(event.payload, 'base64').toString('base64url'));
    assert.ok(message.wireformat === wireformats.mls_public_message, 'a PublicMessage');
    const result = await processMessage({ context: await mlsContext(), state: this.state, message });
    this.state = result.newState;
  }

  /** Joins from the Welcome waiting for this device, and deletes it from the server. */
  async acceptWelcome(conversationId: string): Promise<void> {
    const res = await this.api.get<{
      welcomes: Array<{ id: string; conversationId: string; welcome: string }>;
    }>('/api/v1/e2ee/welcomes', { token: this.token });
    assert.equal(res.status, 200);
    const pending = res.body.welcomes.find((w) => w.conversationId === conversationId);
    assert.ok(pending !== undefined, `a Welcome for ${conversationId}`);
    const message = decodeMessage(pending.welcome);
    assert.ok(message.wireformat === wireformats.mls_welcome, 'a Welcome');
    assert.equal(message.welcome.secrets.length, 1, 'a Welcome holds only this device’s secrets');
    const own = this.#packages.get(b64(message.welcome.secrets[0]!.newMember));
    assert.ok(own !== undefined, 'the Welcome names one of this device’s KeyPackages');
    this.state = await joinGroup({
      context: await mlsContext(),
      welcome: message.welcome,
      keyPackage: own.publicPackage,
      privateKeys: own.privatePackage,
    });
    const deleted = await this.api.delete(`/api/v1/e2ee/welcomes/${pending.id}`, { token: this.token });
    assert.equal(deleted.status, 204);
  }
}

/** Add proposals for KeyPackages as the claim endpoint hands them out. */
export function addProposals(keyPackages: ReadonlyArray<{ keyPackage: string }>): Proposal[] {
  return keyPackages.map((k) => {
    const message = decodeMessage(k.keyPackage);
    assert.ok(message.wireformat === wireformats.mls_key_package, 'a KeyPackage');
    return { proposalType: 1, add: { keyPackage: message.keyPackage } };
  });
}

export function expectCode(res: ApiResponse, status: number, code: string, what: string): void {
  assert.equal(codeOf(res), code, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.status, status, what);
}

/**
 * Moves the server's hand-moved clock to the machine's time: ts-mls checks KeyPackage lifetimes against the
 * machine's clock when a group is created or joined. Call before anyone signs in (sessions expire by the
 * server's clock).
 */
export function alignClockWithMls(server: TestServer): void {
  server.clock.advance(Math.max(0, Date.now() - server.clock.now()));
}
