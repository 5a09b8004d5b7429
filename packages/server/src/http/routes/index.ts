import type { Services } from '../../domain/services.js';
import type { App } from '../types.js';
import { setupRoutes } from './setup.js';
import { authRoutes } from './auth.js';
import { meRoutes } from './me.js';
import { activationRoutes } from './activation.js';
import { directoryRoutes } from './directory.js';
import { applicationRoutes } from './applications.js';
import { memberRoutes } from './members.js';
import { adminRoutes } from './admin.js';
import { eventRoutes } from './events.js';

/** Every API route module, registered under /api/v1. Add a feature's routes here. */
export function registerApiRoutes(api: App, services: Services): void {
  setupRoutes(api, services);
  authRoutes(api, services);
  meRoutes(api, services);
  activationRoutes(api, services);
  directoryRoutes(api, services);
  applicationRoutes(api, services);
  memberRoutes(api, services);
  adminRoutes(api, services);
  eventRoutes(api, services);
}
