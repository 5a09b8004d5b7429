import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * The server's whole configuration, validated once at start-up. Sources, later ones winning: defaults, the JSON
 * file named by ENLETS_CONFIG, environment variables. A bad value stops the start with a message naming it
 * (exit code 78, EX_CONFIG) instead of failing later.
 */
export type Config = Static<typeof ConfigSchema>;
export const ConfigSchema = Type.Object(
  {
    /** `sqlite:<path>` (embedded default), `sqlite::memory:` or `postgres://…`. */
    databaseUrl: Type.String({ pattern: '^(sqlite:|postgres://|postgresql://)', minLength: 8 }),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    /** The origin users reach the service at: used in e-mailed links and for the Origin check on writes. */
    publicUrl: Type.String({ pattern: '^https?://[^/]+$' }),
    logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    /** `smtp://user:pass@host:port` or `smtps://…`; absent: mail stays queued, visible to admins. */
    smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
    mailFrom: Type.String({ minLength: 3 }),
    trustProxy: Type.Boolean(),
    secureCookies: Type.Boolean(),
    /** Require a second factor when an invited member activates their account. */
    requireSecondFactor: Type.Boolean(),
    sessionTtlDays: Type.Integer({ minimum: 1, maximum: 365 }),
    /** Argon2id cost (docs/decisions/0004-password-hashing.md); the minimums are OWASP's. */
    argon2: Type.Object(
      {
        memoryKiB: Type.Integer({ minimum: 19_456, maximum: 4_194_304 }),
        iterations: Type.Integer({ minimum: 2, maximum: 20 }),
        parallelism: Type.Integer({ minimum: 1, maximum: 16 }),
      },
      { additionalProperties: false },
    ),
    /** Requests per minute per client address on ordinary routes; login and public forms have tighter limits. */
    rateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 10_485_760 }),
    mailPollIntervalMs: Type.Integer({ minimum: 50, maximum: 3_600_000 }),
    /** Cluster mode: `redis://…` (or `rediss://`) of the bus every server process shares; absent: one process. */
    busUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    /** The pub/sub channel of this deployment on that Redis (default `enlets:events`). */
    busChannel: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9:._-]{1,100}$' })),
    /** Where the server keeps files: blobs (attachments) under `<dataDir>/blobs/`. */
    dataDir: Type.String({ minLength: 1 }),
    /** Largest attachment (opaque, client-encrypted bytes) one upload may announce. */
    maxFileBytes: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    /** Size of every chunk of a resumable upload but the last (each PUT body is buffered up to this). */
    uploadChunkBytes: Type.Integer({ minimum: 1024, maximum: 67_108_864 }),
    /** Per-user and per-conversation storage quotas: committed blobs plus open uploads. */
    userQuotaBytes: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    conversationQuotaBytes: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    /** How often the blob garbage collector runs (unreferenced blobs, abandoned uploads). */
    blobGcIntervalMs: Type.Integer({ minimum: 1000, maximum: 86_400_000 }),
    /** The MLS cipher suite of every new group (ADR 0011): suite 1, or the hybrid post-quantum X-Wing suite. */
    mlsCiphersuite: Type.Enum([
      'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
      'MLS_256_XWING_AES256GCM_SHA512_Ed25519',
    ]),
    /**
     * Large groups (ADR 0021): from this many members on, only a conversation's owner and managers commit
     * membership changes (in batches), content is accepted for `mlsRemovalGraceMs` while a removal waits for
     * its batch, and a device commits at most one self-update per `mlsSelfUpdateMinIntervalMs` in each group.
     */
    mlsLargeGroupMembers: Type.Integer({ minimum: 2, maximum: 1_000_000 }),
    mlsRemovalGraceMs: Type.Integer({ minimum: 0, maximum: 3_600_000 }),
    mlsSelfUpdateMinIntervalMs: Type.Integer({ minimum: 0, maximum: 604_800_000 }),
    /** The built web client (`packages/web/dist`); absent: the one next to this package. */
    webDir: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * Web Push (ADR 0018): a device is woken only when it has not reported the new message as delivered within
     * this time (it would have, had its WebSocket been open on any server process).
     */
    pushGraceMs: Type.Integer({ minimum: 0, maximum: 600_000 }),
    /**
     * Tests and development only: accept push subscriptions at plain-HTTP loopback URLs (a local test push
     * service). Off in production, where every push service is https on a public name.
     */
    pushAllowLoopbackHttp: Type.Boolean(),
    /**
     * How often a process renews its entry in the cluster's online registry; three missed renewals and its
     * users count as offline (a process that died).
     */
    presenceHeartbeatMs: Type.Integer({ minimum: 100, maximum: 300_000 }),
    /**
     * How long a send waits for others to share its commit (group commit, `domain/send-batcher.ts`). Unset: 3 ms
     * on SQLite, where it more than halved the server's CPU per delivery (docs/performance.md), and none on
     * PostgreSQL (not measured there).
     */
    sendBatchWindowMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
  },
  { additionalProperties: false },
);

export const DEFAULT_CONFIG: Config = {
  databaseUrl: 'sqlite:data/enlets.db',
  host: '127.0.0.1',
  port: 8080,
  publicUrl: 'http://localhost:8080',
  logLevel: 'info',
  mailFrom: 'ENLETS Messenger <no-reply@localhost>',
  trustProxy: false,
  secureCookies: true,
  requireSecondFactor: true,
  sessionTtlDays: 30,
  argon2: { memoryKiB: 65_536, iterations: 3, parallelism: 1 },
  rateLimitPerMinute: 600,
  bodyLimitBytes: 65_536,
  mailPollIntervalMs: 5_000,
  dataDir: 'data',
  // Counts stored (encrypted) bytes: a 2 GiB file plus age's per-chunk tags (16 B per 64 KiB) and header.
  maxFileBytes: 2 * 1024 ** 3 + 1024 ** 2,
  uploadChunkBytes: 1024 ** 2,
  userQuotaBytes: 10 * 1024 ** 3,
  conversationQuotaBytes: 50 * 1024 ** 3,
  blobGcIntervalMs: 600_000,
  mlsCiphersuite: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519',
  mlsLargeGroupMembers: 200,
  mlsRemovalGraceMs: 120_000,
  mlsSelfUpdateMinIntervalMs: 3_600_000,
  pushGraceMs: 5_000,
  pushAllowLoopbackHttp: false,
  presenceHeartbeatMs: 10_000,
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** EX_CONFIG from sysexits.h. */
  static readonly EXIT_CODE = 78;
}

type Env = Readonly<Record<string, string | undefined>>;

const ENV_KEYS: ReadonlyArray<readonly [string, string, 'string' | 'int' | 'bool']> = [
  ['DATABASE_URL', 'databaseUrl', 'string'],
  ['ENLETS_HOST', 'host', 'string'],
  ['PORT', 'port', 'int'],
  ['ENLETS_PORT', 'port', 'int'],
  ['ENLETS_PUBLIC_URL', 'publicUrl', 'string'],
  ['ENLETS_LOG_LEVEL', 'logLevel', 'string'],
  ['ENLETS_SMTP_URL', 'smtpUrl', 'string'],
  ['ENLETS_MAIL_FROM', 'mailFrom', 'string'],
  ['ENLETS_TRUST_PROXY', 'trustProxy', 'bool'],
  ['ENLETS_SECURE_COOKIES', 'secureCookies', 'bool'],
  ['ENLETS_REQUIRE_SECOND_FACTOR', 'requireSecondFactor', 'bool'],
  ['ENLETS_SESSION_TTL_DAYS', 'sessionTtlDays', 'int'],
  ['ENLETS_RATE_LIMIT_PER_MINUTE', 'rateLimitPerMinute', 'int'],
  ['ENLETS_BODY_LIMIT_BYTES', 'bodyLimitBytes', 'int'],
  ['ENLETS_MAIL_POLL_INTERVAL_MS', 'mailPollIntervalMs', 'int'],
  ['ENLETS_BUS_URL', 'busUrl', 'string'],
  ['ENLETS_BUS_CHANNEL', 'busChannel', 'string'],
  ['ENLETS_DATA_DIR', 'dataDir', 'string'],
  ['ENLETS_MAX_FILE_BYTES', 'maxFileBytes', 'int'],
  ['ENLETS_UPLOAD_CHUNK_BYTES', 'uploadChunkBytes', 'int'],
  ['ENLETS_USER_QUOTA_BYTES', 'userQuotaBytes', 'int'],
  ['ENLETS_CONVERSATION_QUOTA_BYTES', 'conversationQuotaBytes', 'int'],
  ['ENLETS_BLOB_GC_INTERVAL_MS', 'blobGcIntervalMs', 'int'],
  ['ENLETS_MLS_CIPHERSUITE', 'mlsCiphersuite', 'string'],
  ['ENLETS_MLS_LARGE_GROUP_MEMBERS', 'mlsLargeGroupMembers', 'int'],
  ['ENLETS_MLS_REMOVAL_GRACE_MS', 'mlsRemovalGraceMs', 'int'],
  ['ENLETS_MLS_SELF_UPDATE_MIN_INTERVAL_MS', 'mlsSelfUpdateMinIntervalMs', 'int'],
  ['ENLETS_WEB_DIR', 'webDir', 'string'],
  ['ENLETS_PUSH_GRACE_MS', 'pushGraceMs', 'int'],
  ['ENLETS_PUSH_ALLOW_LOOPBACK_HTTP', 'pushAllowLoopbackHttp', 'bool'],
  ['ENLETS_PRESENCE_HEARTBEAT_MS', 'presenceHeartbeatMs', 'int'],
  ['ENLETS_SEND_BATCH_WINDOW_MS', 'sendBatchWindowMs', 'int'],
];

function parseEnvValue(name: string, raw: string, kind: 'string' | 'int' | 'bool'): unknown {
  if (kind === 'string') return raw;
  if (kind === 'int') {
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
    return Number(raw);
  }
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

const validator = Compile(ConfigSchema);

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  let fromFile: Record<string, unknown> = {};
  const file = env['ENLETS_CONFIG'];
  if (file !== undefined && file !== '') {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigError(`ENLETS_CONFIG: cannot read ${file} as JSON: ${(cause as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  /** Which variable set each key, so an error names what the operator wrote. */
  const envName: Record<string, string> = {};
  for (const [name, key, kind] of ENV_KEYS) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') {
      fromEnv[key] = parseEnvValue(name, raw, kind);
      envName[key] = name;
    }
  }
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG, ...fromFile, ...fromEnv, ...overrides };
  if (
    fromEnv['publicUrl'] === undefined &&
    fromFile['publicUrl'] === undefined &&
    overrides.publicUrl === undefined
  ) {
    merged['publicUrl'] = `http://localhost:${String(merged['port'])}`;
  }
  if (!validator.Check(merged)) {
    const issues = [...validator.Errors(merged)].slice(0, 10).map((e) => {
      const key = e.instancePath.split('/')[1] ?? '';
      const source =
        envName[key] !== undefined
          ? ` (${envName[key]})`
          : Object.hasOwn(fromFile, key)
            ? ` (in ENLETS_CONFIG ${String(file)})`
            : '';
      return `${e.instancePath === '' ? '(root)' : e.instancePath}${source}: ${e.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${issues.join('\n  ')}`);
  }
  return merged;
}
