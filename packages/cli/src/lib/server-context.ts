import type { ServicesHandle } from '@enlets/server';
import { loadServer } from './server-module.js';

/**
 * Runs an administration command against the configured database (opened and migrated, as the server would),
 * and closes it afterwards. These commands run on the server machine with its configuration.
 */
export async function withServices<T>(work: (handle: ServicesHandle) => Promise<T>): Promise<T> {
  const { loadConfig, openServices } = await loadServer();
  const handle = await openServices(loadConfig());
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}
