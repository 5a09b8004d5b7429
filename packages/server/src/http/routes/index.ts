import type { Services } from '../../domain/services.js';
import type { App } from '../types.js';
import { setupRoutes } from './setup.js';

/** Every API route module, registered under /api/v1. Add a feature's routes here. */
export function registerApiRoutes(api: App, services: Services): void {
  setupRoutes(api, services);
}
