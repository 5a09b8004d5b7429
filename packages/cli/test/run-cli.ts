import { spawn, type ChildProcess } from 'node:child_process';

import { cliNodeArgs } from '../../server/test/helpers/cli-entry.js';

/** The CLI as a user runs it: a child process (the built CLI when the test runner built it, else tsx). */
export const ROOT = new URL('../../..', import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>>): ChildProcess {
  const childEnv: Record<string, string | undefined> = { ...process.env, ENLETS_LOG_LEVEL: 'warn', ...env };
  // The child must not see the test runner's own context (it would run as a test file).
  delete childEnv['NODE_TEST_CONTEXT'];
  return spawn(process.execPath, [...cliNodeArgs(), ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output; `done` resolves with the exit code once it closes. */
export function collect(child: ChildProcess): {
  out: () => string;
  err: () => string;
  done: Promise<CliResult>;
} {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { out: () => stdout, err: () => stderr, done };
}

export function runCli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  return collect(spawnCli(args, env)).done;
}
