/**
 * The harness of the IETF MLS vector tests: runs every case of a vector file against the ts-mls build we ship,
 * through our provider (`cachingCryptoProvider`, what the product uses) and, where it is cheap, also through the
 * library's default provider, so a difference between the two would show. The vectors are read from outside the
 * repository (locate.ts).
 *
 * A case is skipped only when its cipher suite cannot be built here: an optional dependency of ts-mls that we do
 * not install (X448, ChaCha20-Poly1305). The summary names each skip and its reason.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCryptoProvider, type CiphersuiteImpl, type CryptoProvider } from 'ts-mls';
import { cachingCryptoProvider } from '../../src/provider.js';
import { readdirSync } from 'node:fs';
import { readVectors, vectorsDirectory } from './locate.js';
import { LIBRARY_DIR } from './library.js';

type SuiteCheck = (vector: never, cs: CiphersuiteImpl) => Promise<void>;
type PlainCheck = (vector: never) => void;
export type VectorFile =
  | { readonly file: string; readonly plain: PlainCheck }
  | {
      readonly file: string;
      readonly perSuite: SuiteCheck;
      /** Also run through the library's default provider (skipped where that doubles a long run). */
      readonly crossCheck: boolean;
    };

/** The 16 files of mlswg/mls-implementations/test-vectors; each test file takes some of them. */
export const ALL_VECTOR_FILES = [
  'tree-math.json',
  'deserialization.json',
  'messages.json',
  'crypto-basics.json',
  'key-schedule.json',
  'psk_secret.json',
  'secret-tree.json',
  'transcript-hashes.json',
  'message-protection.json',
  'tree-operations.json',
  'tree-validation.json',
  'treekem.json',
  'welcome.json',
  'passive-client-welcome.json',
  'passive-client-handling-commit.json',
  'passive-client-random.json',
] as const;

const PROVIDERS: readonly [string, CryptoProvider][] = [
  ['caching', cachingCryptoProvider],
  ['default', defaultCryptoProvider],
];

interface Tally {
  passed: number;
  failed: string[];
  skipped: Map<string, number>;
}

const directory = vectorsDirectory();
/**
 * Cases run a few at a time: much of their time is WebCrypto and big-integer key work waiting on the thread
 * pool (P-384, P-521), which overlaps well; the cases share no state.
 */
const CONCURRENT_CASES = 4;

/** The vector directory holds exactly the 16 files these tests know: a new upstream file must not go unnoticed. */
export function describeVectorSet(): void {
  describe('IETF MLS vector set', { skip: skipReason() }, () => {
    it('has exactly the 16 files the vector tests cover', () => {
      assert.ok(directory !== undefined);
      const present = readdirSync(directory)
        .filter((name) => name.endsWith('.json'))
        .sort();
      assert.deepEqual(present, [...ALL_VECTOR_FILES].sort());
    });
  });
}

export function describeVectorFiles(title: string, files: readonly VectorFile[]): void {
  const tallies = new Map<string, Tally>();
  describe(title, { skip: skipReason() }, () => {
    for (const entry of files) {
      it(`${entry.file}: every applicable case passes`, async (t) => {
        assert.ok(directory !== undefined);
        const vectors = readVectors<{ cipher_suite?: number }>(directory, entry.file);
        const tally: Tally = { passed: 0, failed: [], skipped: new Map() };
        tallies.set(entry.file, tally);
        if ('plain' in entry) {
          for (const [n, vector] of vectors.entries())
            record(tally, `case ${n}`, () => entry.plain(vector as never));
        } else {
          const providers = entry.crossCheck ? PROVIDERS : PROVIDERS.slice(0, 1);
          const runs = providers.flatMap(([providerName, provider]) =>
            vectors.map((vector, n) => async () => {
              const suite = vector.cipher_suite ?? Number.NaN;
              const cs = await suiteOf(providerName, provider, suite);
              if (typeof cs === 'string') {
                const reason = `suite ${suite} (${cs})`;
                tally.skipped.set(reason, (tally.skipped.get(reason) ?? 0) + 1);
                return;
              }
              await recordAsync(tally, `case ${n} (suite ${suite}, ${providerName} provider)`, () =>
                entry.perSuite(vector as never, cs),
              );
            }),
          );
          await inParallel(runs, CONCURRENT_CASES);
        }
        t.diagnostic(summaryLine(entry.file, tally));
        assert.deepEqual(tally.failed, [], `${entry.file}: failing cases`);
        assert.ok(tally.passed > 0, `${entry.file}: no applicable case ran`);
      });
    }

    after(() => {
      const passed = [...tallies.values()].reduce((sum, t) => sum + t.passed, 0);
      const failed = [...tallies.values()].reduce((sum, t) => sum + t.failed.length, 0);
      const lines = [...tallies].map(([file, tally]) => summaryLine(file, tally));
      console.log(
        [
          `${title} (${LIBRARY_DIR}; vectors ${directory ?? '-'}):`,
          ...lines,
          `${passed} passed, ${failed} failed`,
        ].join('\n  '),
      );
    });
  });
}

function skipReason(): string | false {
  if (directory !== undefined) return false;
  // On CI a missing vector directory is a failure, not a silent skip.
  if (process.env['CI'] !== undefined) {
    throw new Error('MLS test vectors not found: set ENLETS_MLS_VECTORS or provide shared/test-vectors/mls');
  }
  return 'MLS test vectors not found (set ENLETS_MLS_VECTORS); they live outside the repository';
}

const suites = new Map<string, Promise<CiphersuiteImpl | string>>();

/** The suite's implementation, or why this installation cannot build it (the missing optional package). */
function suiteOf(
  providerName: string,
  provider: CryptoProvider,
  suite: number,
): Promise<CiphersuiteImpl | string> {
  const key = `${providerName}:${suite}`;
  let impl = suites.get(key);
  if (impl === undefined) {
    impl = provider.getCiphersuiteImpl(suite).catch((error: unknown) => {
      const message = (error as Error).message;
      const dependency = /'([^']+)' is not installed/.exec(message)?.[1];
      return dependency === undefined ? message : `needs ${dependency}, an optional dependency not installed`;
    });
    suites.set(key, impl);
  }
  return impl;
}

async function inParallel(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task !== undefined) await task();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function record(tally: Tally, name: string, check: () => void): void {
  try {
    check();
    tally.passed++;
  } catch (error) {
    tally.failed.push(`${name}: ${(error as Error).message}`);
  }
}

async function recordAsync(tally: Tally, name: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
    tally.passed++;
  } catch (error) {
    tally.failed.push(`${name}: ${(error as Error).message}`);
  }
}

function summaryLine(file: string, tally: Tally): string {
  const skipped = [...tally.skipped].map(([reason, count]) => `${count} × ${reason}`).join('; ');
  return `${file}: ${tally.passed} passed, ${tally.failed.length} failed${skipped === '' ? '' : `, skipped ${skipped}`}`;
}
