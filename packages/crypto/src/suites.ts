import { ciphersuites, type CiphersuiteName } from 'ts-mls';

/** The MLS cipher suites a deployment may choose (ADR 0011, `ENLETS_MLS_CIPHERSUITE`); fixed per group. */
export const MLS_SUITES = [
  'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
  'MLS_256_XWING_AES256GCM_SHA512_Ed25519',
] as const satisfies readonly CiphersuiteName[];

export type MlsSuiteName = (typeof MLS_SUITES)[number];

export const DEFAULT_MLS_SUITE: MlsSuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

export function isMlsSuiteName(name: string): name is MlsSuiteName {
  return (MLS_SUITES as readonly string[]).includes(name);
}

/** The offered suite with this wire id, or undefined for any other suite. */
export function mlsSuiteById(id: number): MlsSuiteName | undefined {
  return MLS_SUITES.find((name) => ciphersuites[name] === id);
}
