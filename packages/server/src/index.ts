/** The server package's public surface: what the CLI and the tests start it with. */
export { loadConfig, ConfigError, DEFAULT_CONFIG, type Config } from './config/config.js';
export { startServer, type RunningServer, type StartOptions } from './server.js';
export { buildApp, type BuiltApp, type AppDeps } from './app.js';
export { openDatabase, type Database } from './storage/dialects/index.js';
export { migrateToLatest, DatabaseFromFutureError } from './storage/migrator.js';
export { ManualClock, systemClock, type Clock } from './lib/clock.js';
