/**
 * Our crypto provider against the library's default one on random inputs, plus what the caches must never do:
 * serve a stale key for an array that was overwritten, or accept a tampered signature or ciphertext. (The IETF
 * vectors in the other files check it against the standard.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  CryptoError,
  defaultCredentialTypes,
  defaultCryptoProvider,
  defaultProposalTypes,
  generateKeyPackage,
  getCiphersuiteImpl,
  joinGroup,
  processMessage,
  unsafeTestingAuthenticationService,
  type CiphersuiteImpl,
  type CiphersuiteName,
} from 'ts-mls';
import { cachingCryptoProvider, ciphersuite } from '../../src/provider.js';
import { withCachedKeys } from '../../src/provider/hpke.js';
import { nodeCrypto } from '../../src/provider/node-crypto.js';
import { ed25519Signature } from '../../src/provider/signature.js';

const SUITES: CiphersuiteName[] = [
  'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
  'MLS_256_XWING_AES256GCM_SHA512_Ed25519',
];
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

for (const suite of SUITES) {
  describe(`crypto/provider [${suite}]`, () => {
    const pair = async (): Promise<[CiphersuiteImpl, CiphersuiteImpl]> => [
      await ciphersuite(suite),
      await getCiphersuiteImpl(suite, defaultCryptoProvider),
    ];

    it('hashes, MACs and derives keys exactly as the default provider', async () => {
      const [ours, theirs] = await pair();
      for (const size of [0, 1, 64, 1000]) {
        const data = random(size);
        const key = random(32);
        assert.deepEqual(await ours.hash.digest(data), await theirs.hash.digest(data));
        assert.deepEqual(await ours.hash.mac(key, data), await theirs.hash.mac(key, data));
        // @hpke/core (the default) wants salts and pseudorandom keys of the hash's length, as MLS always passes.
        const salt = random(ours.kdf.size);
        assert.deepEqual(await ours.kdf.extract(salt, data), await theirs.kdf.extract(salt, data));
        assert.deepEqual(await ours.kdf.expand(salt, data, 77), await theirs.kdf.expand(salt, data, 77));
      }
      assert.equal(ours.kdf.size, theirs.kdf.size);
    });

    it('refuses a MAC that differs in one bit', async () => {
      const [ours] = await pair();
      const key = random(32);
      const data = random(100);
      const mac = await ours.hash.mac(key, data);
      assert.equal(await ours.hash.verifyMac(key, mac, data), true);
      mac[0] = (mac[0] ?? 0) ^ 1;
      assert.equal(await ours.hash.verifyMac(key, mac, data), false);
    });

    it('signs byte for byte like the default provider and refuses tampered signatures', async () => {
      const [ours, theirs] = await pair();
      const { signKey, publicKey } = await ours.signature.keygen();
      const message = random(300);
      const signature = await ours.signature.sign(signKey, message);
      assert.deepEqual(signature, await theirs.signature.sign(signKey, message));
      assert.equal(await theirs.signature.verify(publicKey, message, signature), true);
      assert.equal(await ours.signature.verify(publicKey, message, signature), true);
      const tampered = message.slice();
      tampered[5] = (tampered[5] ?? 0) ^ 1;
      assert.equal(await ours.signature.verify(publicKey, tampered, signature), false);
    });

    it('signs with the current bytes of a key array that was overwritten in place', async () => {
      const [ours, theirs] = await pair();
      const first = await ours.signature.keygen();
      const second = await ours.signature.keygen();
      const key = first.signKey.slice();
      const message = random(50);
      await ours.signature.sign(key, message);
      key.set(second.signKey);
      const signature = await ours.signature.sign(key, message);
      assert.equal(await theirs.signature.verify(second.publicKey, message, signature), true);
    });

    it('encrypts MLS payloads small and large so the default provider opens them, and refuses a flipped bit', async () => {
      const [ours, theirs] = await pair();
      // 1 KiB runs inline, 64 KiB (like a Welcome's GroupInfo) on WebCrypto: both must match the default.
      for (const size of [1024, 64 * 1024]) {
        const key = random(ours.hpke.keyLength);
        const nonce = random(ours.hpke.nonceLength);
        const aad = random(20);
        const plaintext = random(size);
        const sealed = await ours.hpke.encryptAead(key, nonce, aad, plaintext);
        assert.deepEqual(sealed, await theirs.hpke.encryptAead(key, nonce, aad, plaintext));
        assert.deepEqual(await theirs.hpke.decryptAead(key, nonce, aad, sealed), plaintext);
        sealed[0] = (sealed[0] ?? 0) ^ 1;
        await assert.rejects(ours.hpke.decryptAead(key, nonce, aad, sealed), CryptoError);
      }
    });

    it('opens HPKE with a private key array that was overwritten in place, using the new key', async () => {
      const [ours] = await pair();
      const info = random(10);
      const plaintext = random(40);
      const first = await ours.hpke.generateKeyPair();
      const second = await ours.hpke.generateKeyPair();
      const rawKey = await ours.hpke.exportPrivateKey(first.privateKey);
      await ours.hpke.importPrivateKey(rawKey);
      rawKey.set(await ours.hpke.exportPrivateKey(second.privateKey));
      const sealed = await ours.hpke.seal(second.publicKey, plaintext, info);
      const opened = await ours.hpke.open(
        await ours.hpke.importPrivateKey(rawKey),
        sealed.enc,
        sealed.ct,
        info,
      );
      assert.deepEqual(opened, plaintext);
    });

    it('lets a member on our provider and one on the default provider share a group', async () => {
      const ours = await ciphersuite(suite);
      const theirs = await getCiphersuiteImpl(suite, defaultCryptoProvider);
      const context = (cs: CiphersuiteImpl) => ({
        cipherSuite: cs,
        authService: unsafeTestingAuthenticationService,
      });
      const credential = (name: string) => ({
        credentialType: defaultCredentialTypes.basic,
        identity: new TextEncoder().encode(name),
      });
      const alicePackage = await generateKeyPackage({ credential: credential('alice'), cipherSuite: ours });
      const bobPackage = await generateKeyPackage({ credential: credential('bob'), cipherSuite: theirs });
      const alice = await createGroup({
        context: context(ours),
        groupId: random(16),
        keyPackage: alicePackage.publicPackage,
        privateKeyPackage: alicePackage.privatePackage,
      });
      const added = await createCommit({
        context: context(ours),
        state: alice,
        extraProposals: [
          { proposalType: defaultProposalTypes.add, add: { keyPackage: bobPackage.publicPackage } },
        ],
        ratchetTreeExtension: true,
      });
      assert.ok(added.welcome !== undefined);
      let bob = await joinGroup({
        context: context(theirs),
        welcome: added.welcome.welcome,
        keyPackage: bobPackage.publicPackage,
        privateKeys: bobPackage.privatePackage,
      });
      let aliceState = added.newState;
      for (const text of ['first', 'second']) {
        const sent = await createApplicationMessage({
          context: context(ours),
          state: aliceState,
          message: new TextEncoder().encode(text),
        });
        aliceState = sent.newState;
        const received = await processMessage({
          context: context(theirs),
          state: bob,
          message: sent.message,
        });
        bob = received.newState;
        if (received.kind !== 'applicationMessage')
          assert.fail(`expected an application message: ${received.kind}`);
        assert.equal(new TextDecoder().decode(received.message), text);
      }
      const update = await createCommit({ context: context(theirs), state: bob });
      const processed = await processMessage({
        context: context(ours),
        state: aliceState,
        message: update.commit,
      });
      assert.deepEqual(
        processed.newState.keySchedule.epochAuthenticator,
        update.newState.keySchedule.epochAuthenticator,
      );
    });

    it('uses Node’s native crypto here and gives the same bytes as the browser’s WebCrypto and inline path', async () => {
      assert.ok(nodeCrypto() !== undefined, 'Node 20.19+ offers process.getBuiltinModule');
      const [ours, theirs] = await pair();
      // What a browser builds: no node:crypto, so WebCrypto Ed25519 and AES-GCM inline (or WebCrypto when large).
      const browserSignature = await ed25519Signature(undefined);
      const browserHpke = withCachedKeys(theirs.hpke, true, undefined);
      const { signKey, publicKey } = await ours.signature.keygen();
      const message = random(200);
      const signature = await ours.signature.sign(signKey, message);
      assert.deepEqual(await browserSignature.sign(signKey, message), signature);
      assert.equal(await browserSignature.verify(publicKey, message, signature), true);
      for (const size of [0, 1024, 64 * 1024]) {
        const key = random(ours.hpke.keyLength);
        const nonce = random(ours.hpke.nonceLength);
        const plaintext = random(size);
        const sealed = await ours.hpke.encryptAead(key, nonce, undefined, plaintext);
        assert.deepEqual(await browserHpke.encryptAead(key, nonce, undefined, plaintext), sealed);
        assert.deepEqual(await browserHpke.decryptAead(key, nonce, undefined, sealed), plaintext);
        assert.deepEqual(await ours.hpke.decryptAead(key, nonce, undefined, sealed), plaintext);
      }
    });

    it('refuses malformed keys, signatures and ciphertexts on the native path as WebCrypto does', async () => {
      const [ours] = await pair();
      const { signKey, publicKey } = await ours.signature.keygen();
      const message = random(100);
      const signature = await ours.signature.sign(signKey, message);
      assert.equal(await ours.signature.verify(publicKey, message, signature.subarray(0, 63)), false);
      assert.equal(await ours.signature.verify(random(32), message, signature), false);
      await assert.rejects(ours.signature.verify(publicKey.subarray(0, 31), message, signature));
      await assert.rejects(ours.signature.sign(random(7), message));
      const key = random(ours.hpke.keyLength);
      const nonce = random(ours.hpke.nonceLength);
      await assert.rejects(ours.hpke.decryptAead(key, nonce, undefined, random(15)), CryptoError);
      const sealed = await ours.hpke.encryptAead(key, nonce, random(8), random(64));
      await assert.rejects(ours.hpke.decryptAead(key, nonce, random(8), sealed), CryptoError, 'other AAD');
    });

    it('builds each suite once per process, so key caches are shared by all groups', async () => {
      assert.equal(await ciphersuite(suite), await ciphersuite(suite));
      assert.notEqual(await cachingCryptoProvider.getCiphersuiteImpl(1), await ciphersuite(suite));
    });
  });
}
