import { Type } from 'typebox';
import {
  ClaimKeyPackagesRequest,
  ClaimKeyPackagesResponse,
  DeviceListResponse,
  E2eeConfig,
  IdentityResponse,
  KeyPackageCount,
  PendingWelcomesResponse,
  PutDeviceListRequest,
  PutIdentityRequest,
  StrictObject,
  UploadKeyPackagesRequest,
  UserDevicesResponse,
  UserId,
  WelcomeParams,
} from '@enlets/protocol';
import {
  claimKeyPackages,
  dismissWelcome,
  registerIdentity,
  uploadDeviceList,
  uploadKeyPackages,
} from '../../domain/actions/e2ee.js';
import {
  getE2eeConfig,
  getKeyPackageCount,
  getUserDevices,
  listPendingWelcomes,
} from '../../domain/queries/e2ee.js';
import type { Services } from '../../domain/services.js';
import { actorOf, type App } from '../types.js';

const tags = ['e2ee'];
const UserParams = StrictObject({ id: UserId.Schema });

/**
 * The per-user and per-device side of the MLS Delivery Service (docs/decisions/0011-e2ee-design.md): identity
 * keys, signed device lists, KeyPackage pools and Welcomes. Groups and commits are in `mls-groups.ts`.
 */
export function e2eeRoutes(app: App, services: Services): void {
  app.get(
    '/e2ee/config',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'The MLS cipher suite and limits of this deployment',
        response: { 200: E2eeConfig },
      },
    },
    () => getE2eeConfig(services),
  );

  app.put(
    '/e2ee/identity',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Register your identity public key (once; the same key again is a no-op)',
        body: PutIdentityRequest,
        response: { 200: IdentityResponse },
      },
    },
    (request) => registerIdentity(services, actorOf(request), request.body),
  );

  app.put(
    '/e2ee/device-list',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Store your signed device list (a higher version than the stored one)',
        body: PutDeviceListRequest,
        response: { 200: DeviceListResponse },
      },
    },
    (request) => uploadDeviceList(services, actorOf(request), request.body),
  );

  app.get(
    '/e2ee/users/:id/devices',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'A user’s identity key, signed device list and signed-in devices',
        params: UserParams,
        response: { 200: UserDevicesResponse },
      },
    },
    (request) => getUserDevices(services, actorOf(request), request.params.id),
  );

  app.post(
    '/e2ee/key-packages',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Add one-time KeyPackages of this device (and replace its last-resort package)',
        body: UploadKeyPackagesRequest,
        response: { 200: KeyPackageCount },
      },
    },
    (request) => uploadKeyPackages(services, actorOf(request), request.body),
  );

  app.get(
    '/e2ee/key-packages/count',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'How many one-time KeyPackages this device has left',
        response: { 200: KeyPackageCount },
      },
    },
    (request) => getKeyPackageCount(services, actorOf(request)),
  );

  app.post(
    '/e2ee/key-packages/claim',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Claim one KeyPackage per signed-in device of each user, to add them to a group',
        body: ClaimKeyPackagesRequest,
        response: { 200: ClaimKeyPackagesResponse },
      },
    },
    (request) => claimKeyPackages(services, actorOf(request), request.body),
  );

  app.get(
    '/e2ee/welcomes',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Welcomes waiting for this device',
        response: { 200: PendingWelcomesResponse },
      },
    },
    (request) => listPendingWelcomes(services, actorOf(request)),
  );

  app.delete(
    '/e2ee/welcomes/:id',
    {
      config: { access: 'messenger.use' },
      schema: {
        tags,
        summary: 'Drop a Welcome this device has processed',
        params: WelcomeParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await dismissWelcome(services, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
