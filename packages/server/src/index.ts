/** The server package's public surface: what the CLI and the tests start it with. */
export { loadConfig, ConfigError, DEFAULT_CONFIG, type Config } from './config/config.js';
export { startServer, type RunningServer, type StartOptions } from './server.js';
export { buildApp, type BuiltApp, type AppDeps } from './app.js';
export { openDatabase, type Database } from './storage/dialects/index.js';
export { migrateToLatest, DatabaseFromFutureError } from './storage/migrator.js';
export { ManualClock, systemClock, type Clock } from './lib/clock.js';
export {
  openServices,
  sendQueuedMailNow,
  SmtpNotConfiguredError,
  type ServicesHandle,
  type OpenServicesOptions,
} from './services-factory.js';
export { createSecretariatAdmin } from './domain/actions/setup.js';
export { seedDemoNetwork, DEMO_ADMIN_EMAIL, type DemoSeedResult } from './domain/actions/demo.js';
export { retryMail } from './domain/actions/mail-admin.js';
export { listMailQueue } from './domain/queries/admin.js';
export { verifyAuditChain, type ChainVerdict } from './domain/audit.js';
export { DomainError } from './domain/errors.js';
