/**
 * End-to-end encrypted attachments (issue 4 item 6): throughput and memory of moving one generated file
 * through the SDK and a real server on this machine.
 *
 *   node --conditions=source --import tsx bench/attachments/run.ts [--size 256m|2g|…] [--chunk 1m]
 *
 * Sizes are binary (m = MiB, g = GiB). The server runs in this process on SQLite with its default upload chunk
 * (1 MiB) unless `--chunk` says otherwise; its per-file limit and quotas are raised to fit the file. Figures:
 * encrypt only (generate → encrypt → discard), encrypt + upload, download + decrypt, decrypt only (the stored
 * blob read from disk), each in MiB/s of plaintext, and the process's peak RSS above its baseline: client and
 * server together, an upper bound for either. The plaintext is generated as it is read and never held whole.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import {
  decryptAttachment,
  encryptAttachment,
  AttachmentKey,
  type ByteSource,
} from '../../packages/crypto/src/index.js';
import {
  downloadAndDecryptAttachment,
  encryptAndUploadAttachment,
  EnletsHttpClient,
} from '../../packages/client/src/index.js';
import { digestOf, generatedFile } from '../../packages/client/test/attachment-files.js';
import { createActor } from '../../packages/server/test/helpers/actors.js';
import {
  createConversation,
  newClientId,
  payload,
} from '../../packages/server/test/helpers/conversations.js';
import { startTestServer } from '../../packages/server/test/helpers/server.js';

const MiB = 1024 * 1024;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: MiB, g: 1024 * MiB };

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)i?b?$/i.exec(text.trim());
  const unit = UNITS[match?.[2]?.toLowerCase() ?? ''];
  if (match === null || unit === undefined) throw new Error(`not a size: ${text}`);
  return Math.round(Number(match[1]) * unit);
}

const { values: args } = parseArgs({
  options: { size: { type: 'string', default: '256m' }, chunk: { type: 'string', default: '1m' } },
});
const size = parseSize(args.size);
const chunkBytes = parseSize(args.chunk);
const CANARY = 'ENLETS-BENCH-CANARY';

/** Peak RSS while `run` works, sampled every 10 ms (the crypto yields between 64 KiB chunks). */
async function measured<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 10);
  const started = performance.now();
  try {
    const result = await run();
    return { result, seconds: (performance.now() - started) / 1000, peakRss };
  } finally {
    clearInterval(sampler);
  }
}

const rows: Array<{ figure: string; 'MiB/s': string; seconds: string; 'peak RSS growth (MiB)': string }> = [];
function report(figure: string, seconds: number, peakRss: number, baseline: number): void {
  const row = {
    figure,
    'MiB/s': (size / MiB / seconds).toFixed(1),
    seconds: seconds.toFixed(2),
    'peak RSS growth (MiB)': ((peakRss - baseline) / MiB).toFixed(1),
  };
  rows.push(row);
  // Each figure as soon as it is known: a long run that is stopped still reports what it measured.
  console.log(
    `${figure}: ${row['MiB/s']} MiB/s, ${row.seconds} s, peak RSS +${row['peak RSS growth (MiB)']} MiB`,
  );
}

const server = await startTestServer('sqlite', {
  config: {
    uploadChunkBytes: chunkBytes,
    // Room for the ciphertext's overhead (16 bytes per 64 KiB and a header) above the plaintext.
    maxFileBytes: 2 * size + MiB,
    userQuotaBytes: 4 * size + MiB,
    conversationQuotaBytes: 4 * size + MiB,
  },
});
try {
  const alice = await createActor(server);
  const bob = await createActor(server);
  const conversationId = await createConversation(server, {
    members: [{ id: alice.id, role: 'owner' }, { id: bob.id }],
  });
  const aliceHttp = new EnletsHttpClient({ baseUrl: server.url, token: alice.token });
  const bobHttp = new EnletsHttpClient({ baseUrl: server.url, token: bob.token });

  // Warm-up: every code path once, so the baseline is the process at work, not the process before it.
  const warm = await encryptAndUploadAttachment(aliceHttp, {
    conversationId,
    name: 'warm-up',
    mimeType: 'application/octet-stream',
    size: 4 * MiB,
    data: generatedFile(4 * MiB, CANARY).stream,
  });
  await digestOf(await downloadAndDecryptAttachment(aliceHttp, warm));
  const baseline = process.memoryUsage().rss;
  console.log(
    `file ${(size / MiB).toFixed(0)} MiB, upload chunk ${(chunkBytes / MiB).toFixed(2)} MiB, ` +
      `baseline RSS ${(baseline / MiB).toFixed(1)} MiB, Node ${process.version}`,
  );

  const encryptOnly = await measured(async () => {
    const encrypted = await encryptAttachment(generatedFile(size, CANARY).stream, size);
    return digestOf(encrypted.ciphertext);
  });
  report('encrypt only', encryptOnly.seconds, encryptOnly.peakRss, baseline);

  const sent = generatedFile(size, CANARY);
  const up = await measured(() =>
    encryptAndUploadAttachment(aliceHttp, {
      conversationId,
      name: 'bench.bin',
      mimeType: 'application/octet-stream',
      size,
      data: sent.stream,
    }),
  );
  report('encrypt + upload', up.seconds, up.peakRss, baseline);
  const descriptor = up.result;
  const shared = await server.api.post(
    `/api/v1/conversations/${conversationId}/events`,
    {
      clientMessageId: newClientId(),
      kind: 'message',
      payload: payload('MLS ciphertext'),
      attachments: [descriptor.blobId],
    },
    { token: alice.token },
  );
  if (shared.status !== 200) throw new Error(`sending the message failed: ${String(shared.status)}`);

  const down = await measured(async () => digestOf(await downloadAndDecryptAttachment(bobHttp, descriptor)));
  report('download + decrypt', down.seconds, down.peakRss, baseline);
  if (down.result.error !== undefined || down.result.sha256 !== sent.sha256())
    throw new Error(`the file did not come back intact: ${String(down.result.error)}`);

  const blobPath = join(server.config.dataDir, 'blobs', descriptor.blobId);
  const decryptOnly = await measured(async () => {
    const file = Readable.toWeb(createReadStream(blobPath, { highWaterMark: 256 * 1024 })) as ByteSource;
    return digestOf(await decryptAttachment(file, AttachmentKey.fromText(descriptor.fileKey)));
  });
  report('decrypt only', decryptOnly.seconds, decryptOnly.peakRss, baseline);
  if (decryptOnly.result.sha256 !== sent.sha256()) throw new Error('decrypting the stored blob failed');

  console.table(rows);
  const memory = process.memoryUsage();
  console.log(
    `at the end: RSS ${(memory.rss / MiB).toFixed(1)} MiB, heap ${(memory.heapUsed / MiB).toFixed(1)} MiB, ` +
      `array buffers ${(memory.arrayBuffers / MiB).toFixed(1)} MiB; ciphertext ${String(descriptor.ciphertextSize)} ` +
      `bytes for ${String(size)} of plaintext`,
  );
} finally {
  await server.close();
}
