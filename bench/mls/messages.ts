/**
 * 1 KiB application messages through our own wrapper (`MlsGroup` of packages/crypto), the path the product runs:
 * a small, quick harness for profiling and for before/after comparisons on the shared machine (`run.ts` has the
 * full figures, at the library's level).
 *
 *   node --conditions=source --import tsx bench/mls/messages.ts [--n 50] [--messages 2000] [--rounds 4]
 *        [--save | --save-parts] [--profile out.cpuprofile]
 *
 * The group is built the cheap way, as in `run.ts` (one commit adding N-1 KeyPackages, the library's testing
 * AuthenticationService), with credentials in our format so that `MlsGroup` names each sender; then the creator's
 * and one joiner's states are wrapped in `MlsGroup`. Application messages never consult the AuthenticationService,
 * so the measured path is the product's.
 *
 * Each round encrypts `--messages` messages at one member and decrypts them in order at the other (one ordered
 * stream: the figure); with `--save` each side also saves its group state after every message, as
 * `SecureMessenger` does before it stores the message (the bytes are produced, not written anywhere); with
 * `--save-parts` as it does with a store that keeps the epoch and ratchet parts apart (`saveParts`). The best
 * round counts, as other processes only ever make a round slower; the load average is printed with it, and the
 * process's CPU time per message (all threads), which load disturbs far less than the rates.
 * `--profile` writes a CPU profile of the rounds only (not of building the group).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  createCommit,
  createGroup,
  defaultCredentialTypes,
  defaultProposalTypes,
  generateKeyPackage,
  joinGroup,
  unsafeTestingAuthenticationService,
  type MlsContext,
  type Proposal,
} from 'ts-mls';
import { encodeDeviceCredential } from '../../packages/crypto/src/credential.js';
import { TsMlsGroup } from '../../packages/crypto/src/group.js';
import { ciphersuite } from '../../packages/crypto/src/provider.js';
import type { MlsSuiteName } from '../../packages/crypto/src/suites.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '50' },
    messages: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '4' },
    save: { type: 'boolean', default: false },
    'save-parts': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const members = Number(args.n);
const messageCount = Number(args.messages);
const rounds = Number(args.rounds);
const MESSAGE_BYTES = 1024;
const SUITE: MlsSuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

const cs = await ciphersuite(SUITE);
const context: MlsContext = { cipherSuite: cs, authService: unsafeTestingAuthenticationService };
/** A device credential that decodes (its signature is not checked here: see above). */
const newMember = () =>
  generateKeyPackage({
    credential: {
      credentialType: defaultCredentialTypes.basic,
      identity: encodeDeviceCredential({
        userId: randomUUID(),
        deviceId: randomUUID(),
        identityKey: cs.rng.randomBytes(32),
        signature: cs.rng.randomBytes(64),
      }),
    },
    cipherSuite: cs,
  });
const creator = await newMember();
const packages = [];
for (let i = 1; i < members; i++) packages.push(await newMember());
const created = await createGroup({
  context,
  groupId: new TextEncoder().encode(randomUUID()),
  keyPackage: creator.publicPackage,
  privateKeyPackage: creator.privatePackage,
});
const adds: Proposal[] = packages.map((p) => ({
  proposalType: defaultProposalTypes.add,
  add: { keyPackage: p.publicPackage },
}));
const commit = await createCommit({
  context,
  state: created,
  extraProposals: adds,
  ratchetTreeExtension: true,
});
const joiner = packages[0];
if (commit.welcome === undefined || joiner === undefined) throw new Error('no Welcome');
const joined = await joinGroup({
  context,
  welcome: commit.welcome.welcome,
  keyPackage: joiner.publicPackage,
  privateKeys: joiner.privatePackage,
});
const noTrust = { trustedUser: () => Promise.resolve(undefined) };
const sender = new TsMlsGroup({ suite: SUITE, cs, trust: noTrust, state: commit.newState });
const receiver = new TsMlsGroup({ suite: SUITE, cs, trust: noTrust, state: joined });

const body = cs.rng.randomBytes(MESSAGE_BYTES);
const encryptRates: number[] = [];
const decryptRates: number[] = [];
const encryptCpu: number[] = [];
const decryptCpu: number[] = [];
/** CPU µs per message since `since` (user + system, every thread of the process). */
const cpuPerMessage = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / messageCount;
};
const loadBefore = loadavg()[0] ?? 0;
const profiler = args.profile === undefined ? undefined : new Session();
if (profiler !== undefined) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
for (let round = 0; round < rounds; round++) {
  const sent: Uint8Array[] = [];
  let started = performance.now();
  let cpu = process.cpuUsage();
  for (let i = 0; i < messageCount; i++) {
    sent.push(await sender.encrypt(body));
    if (args.save) sender.save().destroy();
    if (args['save-parts']) sender.saveParts().ratchets.destroy();
  }
  encryptRates.push(messageCount / ((performance.now() - started) / 1000));
  encryptCpu.push(cpuPerMessage(cpu));
  started = performance.now();
  cpu = process.cpuUsage();
  for (const message of sent) {
    const result = await receiver.process(message);
    if (result.kind !== 'application') throw new Error(`not decrypted: ${JSON.stringify(result)}`);
    if (args.save) receiver.save().destroy();
    if (args['save-parts']) receiver.saveParts().ratchets.destroy();
  }
  decryptRates.push(messageCount / ((performance.now() - started) / 1000));
  decryptCpu.push(cpuPerMessage(cpu));
}
if (profiler !== undefined && args.profile !== undefined) {
  const { profile } = await profiler.post('Profiler.stop');
  await writeFile(args.profile, JSON.stringify(profile));
}
const rate = (values: number[]) => Math.round(Math.max(...values)).toLocaleString('en');
const micros = (values: number[]) => `${Math.round(Math.min(...values)).toLocaleString('en')} µs`;
const all = (values: number[]) => values.map((v) => Math.round(v)).join(', ');
console.log(
  `N = ${String(members)}${args.save ? ', saving state' : ''}${args['save-parts'] ? ', saving state in two parts' : ''}, ` +
    `${String(MESSAGE_BYTES)} B, ` +
    `best of ${String(rounds)} × ${String(messageCount)}: ` +
    `encrypt ${rate(encryptRates)}/s [${all(encryptRates)}], decrypt ${rate(decryptRates)}/s [${all(decryptRates)}]; ` +
    `CPU per message: encrypt ${micros(encryptCpu)}, decrypt ${micros(decryptCpu)}; ` +
    `load ${loadBefore.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}`,
);
if (args.save || args['save-parts']) {
  const parts = receiver.saveParts();
  console.log(
    `what a save writes: whole ${String(receiver.save().length)} B; in two parts, epoch ` +
      `${String(parts.epoch.length)} B (after commits) and ratchets ${String(parts.ratchets.length)} B (after each message)`,
  );
}
