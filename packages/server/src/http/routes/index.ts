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
import { uploadRoutes } from './uploads.js';
import { blobRoutes } from './blobs.js';
import { channelRoutes } from './channels.js';
import { broadcastRoutes } from './broadcasts.js';
import { bookmarkRoutes } from './bookmarks.js';
import { conversationRoutes } from './conversations.js';
import { e2eeRoutes } from './e2ee.js';
import { mlsGroupRoutes } from './mls-groups.js';
import { e2eeRecoveryRoutes } from './e2ee-recovery.js';
import { deliveryRoutes } from './deliveries.js';
import { historySharingRoutes } from './history-sharing.js';

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
  uploadRoutes(api, services);
  blobRoutes(api, services);
  channelRoutes(api, services);
  broadcastRoutes(api, services);
  bookmarkRoutes(api, services);
  conversationRoutes(api, services);
  e2eeRoutes(api, services);
  mlsGroupRoutes(api, services);
  e2eeRecoveryRoutes(api, services);
  deliveryRoutes(api, services);
  historySharingRoutes(api, services);
}
