import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type {
  ConversationEvent,
  EventRangeResponse,
  SendEventAck,
  SyncResponse,
  UserId,
} from '@enlets/protocol';
import { loadConfig } from '../../src/config/config.js';
import { openSession } from '../../src/domain/actions/sessions.js';
import { inTransaction } from '../../src/domain/services.js';
import { newId } from '../../src/lib/secrets.js';
import { openServices } from '../../src/services-factory.js';
import { cliNodeArgs } from './cli-entry.js';
import { insertConversation, insertMembership } from '../../src/storage/repositories/conversations.js';
import { grantRole, insertUser } from '../../src/storage/repositories/users.js';

const ROOT = new URL('../../../..', import.meta.url).pathname;

/** Cheapest Argon2id parameters the config accepts (the seeded accounts never log in with a password). */
const TEST_ARGON2 = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ServerProcessOptions {
  readonly databaseUrl: string;
  readonly port: number;
  /** ENLETS_BUS_URL: joins the cluster bus. */
  readonly busUrl?: string;
  readonly busChannel?: string;
  /** ENLETS_DATA_DIR (attachments); defaults to a fresh temporary directory, removed by `stop`. */
  readonly dataDir?: string;
  /** ENLETS_LOG_LEVEL (default `warn`). */
  readonly logLevel?: string;
  /** Receives every chunk the process writes to stdout and stderr (its logs). */
  readonly onOutput?: (chunk: string) => void;
  /** Further ENLETS_* settings of the process. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The real server as a child process (`enlets serve`, through tsx as the CLI suite runs it), on a fixed port so
 * that it can be killed and started again where its clients expect it.
 */
export class ServerProcess {
  readonly url: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  /** The last few KiB of the children's output, for failure messages. */
  #tail = '';
  readonly #dataDir: string;
  readonly #ownDataDir: boolean;
  starts = 0;

  constructor(readonly options: ServerProcessOptions) {
    this.url = `http://127.0.0.1:${String(options.port)}`;
    this.#ownDataDir = options.dataDir === undefined;
    this.#dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'enlets-data-'));
  }

  get output(): string {
    return this.#tail;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the process and resolves once /health answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.#child !== undefined) throw new Error('already running');
    const wanted: Record<string, string | undefined> = {
      ...process.env,
      DATABASE_URL: this.options.databaseUrl,
      ENLETS_HOST: '127.0.0.1',
      ENLETS_PORT: String(this.options.port),
      ENLETS_LOG_LEVEL: this.options.logLevel ?? 'warn',
      ENLETS_RATE_LIMIT_PER_MINUTE: '1000000',
      ENLETS_BUS_URL: this.options.busUrl,
      ENLETS_BUS_CHANNEL: this.options.busChannel,
      ENLETS_DATA_DIR: this.#dataDir,
      ENLETS_SMTP_URL: undefined,
      ...this.options.env,
    };
    // The child must not see the test runner's own context (it would run as a test file).
    delete wanted['NODE_TEST_CONTEXT'];
    const env = Object.fromEntries(
      Object.entries(wanted).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const child = spawn(process.execPath, [...cliNodeArgs(), 'serve'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.starts += 1;
    const keep = (chunk: string): void => {
      this.options.onOutput?.(chunk);
      this.#tail = (this.#tail + chunk).slice(-8192);
    };
    child.stdout.setEncoding('utf8').on('data', keep);
    child.stderr.setEncoding('utf8').on('data', keep);
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#child !== child) throw new Error(`server exited during start-up:\n${this.#tail}`);
      const ok = await fetch(`${this.url}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`server did not start in time:\n${this.#tail}`);
      await sleep(50);
    }
  }

  /** SIGKILL: no shutdown hook runs, in-flight requests and transactions die with the process. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** Graceful stop (SIGTERM), falling back to SIGKILL; removes its own data directory. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child !== undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await this.#exited;
      clearTimeout(timer);
    }
    if (this.#ownDataDir) rmSync(this.#dataDir, { recursive: true, force: true });
  }
}

export interface SeededMember {
  readonly id: UserId;
  /** A bearer token of an open session (one device). */
  readonly token: string;
}

export interface MessagingFixture {
  readonly members: readonly SeededMember[];
  readonly conversationId: string;
}

/**
 * Writes `memberCount` active users with one session each and one group conversation of all of them straight
 * into the (migrated) database, before any server process starts.
 */
export async function seedMessagingFixture(
  databaseUrl: string,
  memberCount: number,
): Promise<MessagingFixture> {
  const config = loadConfig({}, { databaseUrl, argon2: TEST_ARGON2, logLevel: 'silent' });
  const handle = await openServices(config, { log: pino({ level: 'silent' }) });
  try {
    const { services } = handle;
    const passwordHash = await services.passwords.hash('not used by this suite');
    return await inTransaction(services, async (trx) => {
      const now = services.clock.now();
      const members: SeededMember[] = [];
      for (let i = 0; i < memberCount; i++) {
        const id = newId<UserId>();
        await insertUser(trx, {
          id,
          email: `member${String(i)}-${id.slice(0, 8)}@police.example`,
          displayName: `Officer ${String(i)}`,
          countryCode: 'DE',
          agencyId: null,
          position: 'Analyst',
          status: 'active',
          passwordHash,
          now,
        });
        await grantRole(trx, id, { role: 'lea_member', scope: '' }, null, now);
        const session = await openSession(
          services,
          trx,
          id,
          'bearer',
          { ip: '127.0.0.1', userAgent: 'test' },
          'test',
        );
        members.push({ id, token: session.token });
      }
      const conversationId = randomUUID();
      await insertConversation(trx, {
        id: conversationId,
        kind: 'group',
        name: 'Reliability',
        description: null,
        tlp: 'GREEN',
        joinMode: null,
        listed: false,
        passwordHash: null,
        readOnly: false,
        leaveAllowed: true,
        scopeKind: null,
        scopeId: null,
        messageTtlMs: null,
        historyVisible: false,
        directKey: null,
        createdBy: members[0]?.id ?? null,
        createdAt: now,
      });
      for (const [i, m] of members.entries()) {
        await insertMembership(trx, {
          conversationId,
          userId: m.id,
          role: i === 0 ? 'owner' : 'member',
          joinedAt: now,
          visibleFromSeq: 0,
        });
      }
      return { members, conversationId };
    });
  } finally {
    await handle.close();
  }
}

export interface SendOutcome {
  readonly ack: SendEventAck;
  /** Attempts that failed at the transport (refused, reset) or with a retryable status before the ack. */
  readonly retries: number;
}

/**
 * Sends one message the way the client SDK's outbox does: the same body (same clientMessageId) again and again
 * until an acknowledgement comes back. `baseUrl()` is asked on every attempt, so a caller can fail over.
 * Any answer other than 200, 429 or 5xx is a bug in the server and throws.
 */
export async function sendUntilAcked(
  baseUrl: () => string,
  token: string,
  conversationId: string,
  body: Readonly<Record<string, unknown>>,
  options: {
    readonly deadline: number;
    readonly retryDelayMs?: number;
    /** Called after each failed attempt (a client may switch to another server process). */
    readonly onRetry?: () => void;
    /** Counts this client's requests while they are on the wire (to see what a kill interrupts). */
    readonly inFlight?: { count: number };
  },
): Promise<SendOutcome> {
  let retries = 0;
  const text = JSON.stringify(body);
  for (;;) {
    if (Date.now() > options.deadline) throw new Error('no acknowledgement before the deadline');
    if (options.inFlight) options.inFlight.count += 1;
    try {
      const res = await fetch(`${baseUrl()}/api/v1/conversations/${conversationId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: text,
      });
      if (res.status === 200) return { ack: (await res.json()) as SendEventAck, retries };
      const answer = await res.text();
      if (res.status !== 429 && res.status < 500) {
        throw new Error(`unexpected ${String(res.status)}: ${answer}`);
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('unexpected ')) throw error;
      // Refused or reset: the server is down or just died; the outbox tries again.
    } finally {
      if (options.inFlight) options.inFlight.count -= 1;
    }
    retries += 1;
    options.onRetry?.();
    // Backoff with jitter, as the SDK's outbox: 25 ms doubling, at most 250 ms between attempts.
    const base = Math.min(options.retryDelayMs ?? 25 * 2 ** Math.min(retries - 1, 4), 250);
    await sleep(base / 2 + Math.floor(Math.random() * base));
  }
}

/** Retries a read until the server answers it (used right after a restart or a fail-over). */
export async function getJson<T>(url: string, token: string, init: RequestInit = {}): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(url, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      });
      if (res.status === 200) return (await res.json()) as T;
      if (res.status !== 429 && res.status < 500) {
        throw new Error(`unexpected ${String(res.status)}: ${await res.text()}`);
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('unexpected ')) throw error;
      if (Date.now() > deadline) throw error;
    }
    await sleep(100);
  }
}

/** A conversation's whole log as a member reads it: range fetches from seq 0 until `hasMore` is false. */
export async function readConversation(
  baseUrl: string,
  token: string,
  conversationId: string,
): Promise<{ readonly events: readonly ConversationEvent[]; readonly headSeq: number }> {
  const events: ConversationEvent[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await getJson<EventRangeResponse>(
      `${baseUrl}/api/v1/conversations/${conversationId}/events?afterSeq=${String(afterSeq)}&limit=500`,
      token,
    );
    events.push(...page.events);
    const last = page.events.at(-1);
    if (!page.hasMore || last === undefined) return { events, headSeq: page.headSeq };
    afterSeq = last.seq;
  }
}

/** Everything a device missed since `syncToken`, following `hasMore`; returns the events and the next token. */
export async function syncFrom(
  baseUrl: string,
  token: string,
  syncToken: string | undefined,
): Promise<{ readonly events: readonly ConversationEvent[]; readonly token: string }> {
  const events: ConversationEvent[] = [];
  let next = syncToken;
  for (;;) {
    const page = await getJson<SyncResponse>(`${baseUrl}/api/v1/sync`, token, {
      method: 'POST',
      body: JSON.stringify(next === undefined ? {} : { token: next }),
    });
    events.push(...page.events);
    next = page.token;
    if (!page.hasMore) return { events, token: next };
  }
}

export interface DeliveryReport {
  readonly lost: number;
  readonly duplicated: number;
  readonly gaps: number;
  /** Acknowledged with one seq, read back under another. */
  readonly misplaced: number;
  /** Stored events no client was acknowledged for. */
  readonly unexpected: number;
}

/**
 * Compares what the senders were acknowledged (clientMessageId → seq) with what one reader got: every acked
 * message present once at its acked seq, and seqs afterSeq+1..head (default 1..head) without a hole.
 */
export function compareDelivery(
  acked: ReadonlyMap<string, number>,
  events: readonly ConversationEvent[],
  headSeq: number,
  options: { readonly afterSeq?: number } = {},
): DeliveryReport {
  const seen = new Map<string, number[]>();
  const seqs = new Set<number>();
  for (const e of events) {
    seqs.add(e.seq);
    if (e.clientMessageId === null) continue;
    const list = seen.get(e.clientMessageId) ?? [];
    list.push(e.seq);
    seen.set(e.clientMessageId, list);
  }
  let lost = 0;
  let duplicated = 0;
  let misplaced = 0;
  for (const [id, seq] of acked) {
    const got = seen.get(id);
    if (got === undefined) lost += 1;
    else if (got.length > 1) duplicated += got.length - 1;
    else if (got[0] !== seq) misplaced += 1;
  }
  let gaps = 0;
  for (let s = (options.afterSeq ?? 0) + 1; s <= headSeq; s++) if (!seqs.has(s)) gaps += 1;
  const unexpected = [...seen.keys()].filter((id) => !acked.has(id)).length;
  return { lost, duplicated, gaps, misplaced, unexpected };
}
