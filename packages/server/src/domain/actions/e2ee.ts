import {
  checkDeviceListUpdate,
  decodeDeviceList,
  DeviceListFormatError,
  type SignedDeviceList,
} from '@enlets/crypto';
import type {
  ClaimKeyPackagesRequest,
  ClaimKeyPackagesResponse,
  DeviceListResponse,
  IdentityResponse,
  PutDeviceListRequest,
  PutIdentityRequest,
  TimestampMs,
  UploadKeyPackagesRequest,
  KeyPackageCount,
} from '@enlets/protocol';
import type { CiphersuiteName } from 'ts-mls';
import {
  countKeyPackages,
  claimKeyPackage,
  insertOneTimeKeyPackages,
  pruneKeyPackages,
  replaceLastResortKeyPackage,
  type NewKeyPackage,
} from '../../storage/repositories/e2ee-key-packages.js';
import { findIdentity, insertIdentity, storeDeviceList } from '../../storage/repositories/e2ee-identities.js';
import { deleteE2eeDataOfEndedDevices, listLiveDevices } from '../../storage/repositories/e2ee-peers.js';
import { deleteWelcome } from '../../storage/repositories/mls-groups.js';
import { accessE2eePeer } from '../access/e2ee.js';
import type { Actor } from '../actor.js';
import { DomainError, notFound } from '../errors.js';
import { checkLeafCredential, keyPackageRefOf, sameBytes, suiteId } from '../mls-credentials.js';
import { decodeMlsMessage, MlsDecodeError } from '../mls-wire.js';
import { inTransaction, type Services } from '../services.js';

/** More unclaimed one-time packages than a device needs between two top-ups; bounds one device's storage. */
const MAX_POOL_PER_DEVICE = 500;
/** A KeyPackage whose lifetime starts later than this is refused (clock skew allowance). */
const MAX_NOT_BEFORE_SKEW_MS = 3_600_000;

/**
 * Registers the actor's identity public key (ADR 0011). The same key again is a no-op; another key is refused
 * with E2EE_IDENTITY_EXISTS: a changed identity is an identity reset, which contacts must be warned about.
 */
export async function registerIdentity(
  services: Services,
  actor: Actor,
  request: PutIdentityRequest,
): Promise<IdentityResponse> {
  const identityKey = new Uint8Array(Buffer.from(request.identityKey, 'base64url'));
  return inTransaction(services, async (trx) => {
    const now = services.clock.now();
    await insertIdentity(trx, actor.user.id, identityKey, now);
    const stored = await findIdentity(trx, actor.user.id);
    if (stored === undefined) throw new Error('identity vanished inside its own transaction');
    if (!sameBytes(stored.identityKey, identityKey)) {
      throw new DomainError('E2EE_IDENTITY_EXISTS', 'another identity key is registered for you');
    }
    return {
      userId: actor.user.id,
      identityKey: Buffer.from(stored.identityKey).toString('base64url'),
      createdAt: stored.createdAt,
    };
  });
}

/**
 * Stores the actor's signed device list after checking it with `@enlets/crypto` (signature by the registered
 * identity key, the actor's own user, a version above the stored one). The server cannot write a list itself,
 * so it cannot add a device to anyone's list.
 */
export async function uploadDeviceList(
  services: Services,
  actor: Actor,
  request: PutDeviceListRequest,
): Promise<DeviceListResponse> {
  const bytes = new Uint8Array(Buffer.from(request.deviceList, 'base64url'));
  let next: SignedDeviceList;
  try {
    next = decodeDeviceList(bytes);
  } catch (cause) {
    if (!(cause instanceof DeviceListFormatError)) throw cause;
    throw new DomainError('VALIDATION_FAILED', 'deviceList is not an encoded signed device list', {
      issues: [{ path: 'body/deviceList', message: cause.message }],
    });
  }
  return inTransaction(services, async (trx) => {
    const identity = await findIdentity(trx, actor.user.id);
    if (identity === undefined) {
      throw new DomainError('E2EE_IDENTITY_REQUIRED', 'register your identity key first');
    }
    const previous = identity.deviceList === null ? undefined : decodeDeviceList(identity.deviceList);
    const verdict = checkDeviceListUpdate({
      previous,
      next,
      identityKey: identity.identityKey,
      userId: actor.user.id,
    });
    if (!verdict.ok) {
      if (verdict.reason === 'version-not-increasing') throw stale(previous?.version ?? 0);
      throw new DomainError('DEVICE_LIST_INVALID', 'the device list was refused', { reason: verdict.reason });
    }
    if (!(await storeDeviceList(trx, actor.user.id, bytes, next.version, services.clock.now()))) {
      throw stale(previous?.version ?? 0);
    }
    return { userId: actor.user.id, version: next.version };
  });
}

function stale(version: number): DomainError {
  return new DomainError('DEVICE_LIST_STALE', 'a device list of this version or newer is stored', {
    version,
  });
}

/**
 * Adds one-time KeyPackages to the pool of the actor's device and, when given, replaces its last-resort package.
 * Each must be a KeyPackage of the deployment's suite, currently valid, whose leaf credential is this very
 * device of the actor, signed by the actor's registered identity key (KEY_PACKAGE_INVALID with the index of the
 * first that is not; nothing is stored then).
 */
export async function uploadKeyPackages(
  services: Services,
  actor: Actor,
  request: UploadKeyPackagesRequest,
): Promise<KeyPackageCount> {
  const identity = await findIdentity(services.db, actor.user.id);
  if (identity === undefined) {
    throw new DomainError('E2EE_IDENTITY_REQUIRED', 'register your identity key first');
  }
  const now = services.clock.now();
  const identityKeys = new Map([[actor.user.id, identity.identityKey]]);
  const all = [...request.keyPackages, ...(request.lastResort === undefined ? [] : [request.lastResort])];
  const checked: NewKeyPackage[] = [];
  for (const [index, text] of all.entries()) {
    const lastResort = index === request.keyPackages.length;
    checked.push(await checkKeyPackage(services, actor, identityKeys, text, lastResort, now, index));
  }
  return inTransaction(services, async (trx) => {
    await pruneKeyPackages(trx, actor.session.id, now);
    const oneTime = checked.filter((p) => !p.lastResort);
    const { oneTime: pooled } = await countKeyPackages(trx, actor.session.id, now);
    if (pooled + oneTime.length > MAX_POOL_PER_DEVICE) {
      throw new DomainError(
        'CONFLICT',
        `a device keeps at most ${String(MAX_POOL_PER_DEVICE)} key packages`,
        {
          reason: 'key_package_pool_full',
        },
      );
    }
    await insertOneTimeKeyPackages(trx, oneTime, now);
    const lastResort = checked.find((p) => p.lastResort);
    if (lastResort !== undefined) await replaceLastResortKeyPackage(trx, lastResort, now);
    return countKeyPackages(trx, actor.session.id, now);
  });
}

async function checkKeyPackage(
  services: Services,
  actor: Actor,
  identityKeys: ReadonlyMap<string, Uint8Array>,
  text: string,
  lastResort: boolean,
  now: TimestampMs,
  index: number,
): Promise<NewKeyPackage> {
  const invalid = (reason: string, cause?: unknown): DomainError =>
    new DomainError(
      'KEY_PACKAGE_INVALID',
      `key package ${String(index)}: ${reason}`,
      { reason, index },
      { cause },
    );
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  let keyPackage;
  try {
    keyPackage = decodeMlsMessage(bytes, 'mls_key_package').keyPackage;
  } catch (cause) {
    if (cause instanceof MlsDecodeError) throw invalid(cause.message, cause);
    throw cause;
  }
  const suite = services.config.mlsCiphersuite as CiphersuiteName;
  if (keyPackage.cipherSuite !== suiteId(suite)) throw invalid(`not of the suite ${suite}`);
  const { leafNode } = keyPackage;
  const verdict = checkLeafCredential(leafNode.credential, leafNode.signaturePublicKey, identityKeys);
  if (!verdict.ok) throw invalid(verdict.reason);
  if (verdict.owner.userId !== actor.user.id || verdict.owner.deviceId !== actor.session.id) {
    throw invalid('the credential names another device');
  }
  const notBefore = Number(leafNode.lifetime.notBefore) * 1000;
  const notAfter = Math.min(Number(leafNode.lifetime.notAfter) * 1000, Number.MAX_SAFE_INTEGER);
  if (notAfter <= now || notBefore > now + MAX_NOT_BEFORE_SKEW_MS) throw invalid('outside its lifetime');
  return {
    ref: await keyPackageRefOf(suite, keyPackage),
    userId: actor.user.id,
    deviceId: actor.session.id,
    bytes,
    lastResort,
    expiresAt: notAfter,
  };
}

/**
 * One KeyPackage for every live device of each user (the actor's own device excepted): a one-time package,
 * claimed atomically so that it is never handed out twice, or the device's last-resort package when its pool is
 * empty. A device with neither is left out (it cannot be added until it uploads). Users the actor may not see
 * answer NOT_FOUND, naming the first such id.
 */
export async function claimKeyPackages(
  services: Services,
  actor: Actor,
  request: ClaimKeyPackagesRequest,
): Promise<ClaimKeyPackagesResponse> {
  return inTransaction(services, async (trx) => {
    for (const userId of request.userIds) await accessE2eePeer(trx, actor, userId);
    const now = services.clock.now();
    const devices = await listLiveDevices(trx, request.userIds, now);
    const keyPackages: ClaimKeyPackagesResponse['keyPackages'][number][] = [];
    for (const userId of request.userIds) {
      await deleteE2eeDataOfEndedDevices(trx, userId, now);
      for (const deviceId of devices.get(userId) ?? []) {
        if (deviceId === actor.session.id) continue;
        const claimed = await claimKeyPackage(trx, services.dialect, deviceId, now);
        if (claimed === undefined) continue;
        keyPackages.push({
          userId,
          deviceId,
          keyPackage: Buffer.from(claimed.bytes).toString('base64url'),
          lastResort: claimed.lastResort,
        });
      }
    }
    return { keyPackages };
  });
}

/** Drops a Welcome the actor's device has processed. Another device's Welcome answers NOT_FOUND, as unknown. */
export async function dismissWelcome(services: Services, actor: Actor, welcomeId: string): Promise<void> {
  if (!(await deleteWelcome(services.db, actor.session.id, welcomeId))) throw notFound('welcome');
}
