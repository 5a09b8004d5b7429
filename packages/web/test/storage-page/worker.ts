import { IndexedDbClientStore } from '../../src/storage/indexeddb-client-store.js';
import { IndexedDbE2eeStore } from '../../src/storage/indexeddb-e2ee-store.js';

/** The account whose stores the worker opens, and the outbox entry it adds. */
export interface WorkerRequest {
  readonly userId: string;
  readonly clientMessageId: string;
}

export type WorkerReport =
  | {
      readonly ok: true;
      /** Whether the worker's global scope had a `window` (it must not, and the stores must not need one). */
      readonly hadWindow: boolean;
      /** The outbox as the worker found it, by clientMessageId. */
      readonly outboxSeen: readonly string[];
      readonly identitySeen: readonly number[] | null;
    }
  | { readonly ok: false; readonly error: string };

/** What the lead's E2EE worker does at start: open both stores of the account, read, write. */
async function work(request: WorkerRequest): Promise<WorkerReport> {
  const store = await IndexedDbClientStore.open(request.userId);
  const keys = await IndexedDbE2eeStore.open(request.userId);
  const outboxSeen = (await store.listOutbox()).map((entry) => entry.clientMessageId);
  const identity = await keys.getSecret('identity');
  await store.putOutbox({
    clientMessageId: request.clientMessageId,
    conversationId: '00000000-0000-4000-8000-000000000001',
    body: '{"from":"worker"}',
    createdAt: Date.now(),
    attempts: 0,
    status: 'pending',
  });
  await keys.putGroup('00000000-0000-4000-8000-000000000001', Uint8Array.of(7, 7, 7));
  store.close();
  keys.close();
  return {
    ok: true,
    hadWindow: 'window' in globalThis,
    outboxSeen,
    identitySeen: identity === undefined ? null : Array.from(identity),
  };
}

self.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  work(event.data).then(
    (report) => self.postMessage(report),
    (error: unknown) => self.postMessage({ ok: false, error: String(error) } satisfies WorkerReport),
  );
});
