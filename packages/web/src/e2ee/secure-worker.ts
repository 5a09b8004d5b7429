import { IndexedDbClientStore } from '../storage/indexeddb-client-store.js';
import { IndexedDbE2eeStore } from '../storage/indexeddb-e2ee-store.js';
import { IndexedDbSearchStore } from '../storage/indexeddb-search-store.js';
import { DeviceHost, describeFailure } from './device-host.js';
import type { WorkerMethods, WorkerNotice, WorkerRequest } from './worker-protocol.js';

/**
 * The secure worker's entry (ADR 0014): it answers the page's requests with the `DeviceHost`, one at a time
 * per request id, and forwards the host's notices. The MLS work, the keys and the realtime session live here,
 * off the page's main thread.
 */
const scope = globalThis as unknown as {
  postMessage(notice: WorkerNotice): void;
  addEventListener(type: 'message', listener: (message: MessageEvent<WorkerRequest>) => void): void;
  readonly location: { readonly origin: string };
};

const host = new DeviceHost({
  origin: scope.location.origin,
  openStores: async (userId, deviceId) => {
    const e2ee = await IndexedDbE2eeStore.open(userId);
    // A login is a device: an earlier login's device state on this profile is dropped with its outbox.
    await e2ee.claimFor(deviceId);
    const client = await IndexedDbClientStore.open(userId);
    const search = await IndexedDbSearchStore.open(userId);
    return { client, e2ee, search, forgetDevice: () => e2ee.forgetDevice() };
  },
  notify: (notice) => scope.postMessage(notice),
});

/** What the page may ask before the keys are open; everything else waits for them. */
const WITHOUT_KEYS: ReadonlySet<WorkerRequest['method']> = new Set([
  'open',
  'network',
  'stop',
  'suggestRecoveryCode',
]);

async function answer(request: WorkerRequest): Promise<WorkerMethods[typeof request.method]['result']> {
  if (!WITHOUT_KEYS.has(request.method)) await host.whenOpen();
  switch (request.method) {
    case 'open':
      return host.open(request.params.userId, request.params.passphrase);
    case 'setUpRecovery':
      return host.setUpRecovery(request.params.passphrase);
    case 'suggestRecoveryCode':
      return host.suggestRecoveryCode();
    case 'history':
      return host.history(request.params.conversationId, request.params.query);
    case 'send':
      return host.send(request.params.conversationId, request.params.content, request.params.meta);
    case 'sendFiles': {
      const { conversationId, files, text, meta, transferId } = request.params;
      return host.sendFiles(conversationId, files, text, meta, transferId);
    }
    case 'downloadFile': {
      const { conversationId, seq, index, transferId } = request.params;
      return host.downloadFile(conversationId, seq, index, transferId);
    }
    case 'joinState':
      return host.joinState(request.params.conversationId, request.params.hasGroup);
    case 'shareHistory':
      return host.shareHistory(request.params.conversationId, request.params.newcomerUserId);
    case 'mark': {
      const { conversationId, kind, refSeq } = request.params;
      return host.mark(conversationId, kind, refSeq);
    }
    case 'forward': {
      const { conversationId, seq, targetConversationId } = request.params;
      return host.forward(conversationId, seq, targetConversationId);
    }
    case 'signal':
      return host.signal(request.params.signal);
    case 'contactVerification':
      return host.contactVerification(request.params.userId);
    case 'markVerified':
      return host.markVerified(request.params.userId, request.params.digits);
    case 'acceptIdentityChange':
      return host.acceptIdentityChange(request.params.userId, request.params.digits);
    case 'ownDevices':
      return host.ownDevices();
    case 'search':
      return host.search(request.params);
    case 'network':
      await host.setOnline(request.params.online);
      return null;
    case 'stop':
      await host.stop(request.params.forgetDevice === true);
      return null;
  }
}

scope.addEventListener('message', (message) => {
  const request = message.data;
  answer(request).then(
    (value) => scope.postMessage({ kind: 'result', id: request.id, value }),
    (error: unknown) => scope.postMessage({ kind: 'failure', id: request.id, error: describeFailure(error) }),
  );
});
