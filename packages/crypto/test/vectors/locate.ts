import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the official MLS test vectors are. They are not part of this repository (they are data we may not
 * copy): `ENLETS_MLS_VECTORS`, else a `shared/test-vectors/mls` next to or above the repository, else the
 * workstation's `/work/shared/test-vectors/mls`.
 */
const RELATIVE = join('shared', 'test-vectors', 'mls');
const WORKSTATION = '/work/shared/test-vectors/mls';

export function vectorsDirectory(): string | undefined {
  const candidates: string[] = [];
  const fromEnv = process.env['ENLETS_MLS_VECTORS'];
  if (fromEnv !== undefined && fromEnv !== '') candidates.push(resolve(fromEnv));
  for (let dir = fileURLToPath(new URL('.', import.meta.url)); ; dir = dirname(dir)) {
    candidates.push(join(dir, RELATIVE), join(dir, '..', RELATIVE));
    if (dirname(dir) === dir) break;
  }
  candidates.push(WORKSTATION);
  return candidates.find((dir) => existsSync(join(dir, 'tree-math.json')));
}

export function readVectors<T>(directory: string, file: string): T[] {
  return JSON.parse(readFileSync(join(directory, file), 'utf8')) as T[];
}
