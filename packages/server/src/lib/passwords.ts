import argon2 from 'argon2';

export interface Argon2Params {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

/**
 * Argon2id password hashing (docs/decisions/0004-password-hashing.md). The encoded hash carries its own
 * parameters, so raising them later only affects new hashes; `needsRehash` tells when to upgrade one.
 */
export class PasswordHasher {
  readonly #params: Argon2Params;
  #dummyHash: Promise<string> | undefined;

  constructor(params: Argon2Params) {
    this.#params = params;
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: this.#params.memoryKiB,
      timeCost: this.#params.iterations,
      parallelism: this.#params.parallelism,
    });
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(encoded, password);
    } catch {
      return false;
    }
  }

  /**
   * Spends the same time as a real verification, for logins to unknown accounts: response time then does not
   * tell an attacker whether an e-mail address has an account.
   */
  async verifyDummy(password: string): Promise<false> {
    this.#dummyHash ??= this.hash('dummy password that never matches');
    await this.verify(await this.#dummyHash, password);
    return false;
  }

  needsRehash(encoded: string): boolean {
    return argon2.needsRehash(encoded, {
      memoryCost: this.#params.memoryKiB,
      timeCost: this.#params.iterations,
      parallelism: this.#params.parallelism,
    });
  }
}
