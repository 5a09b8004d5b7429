// How fast the device search is (issue 5, ADR 0020): generated messages are walked into the real index — the
// secure worker's code, in a module Web Worker of Debian's Chromium, over real IndexedDB and WebCrypto — then
// varied queries are timed (words of every frequency, two words, prefixes, folded names, one conversation, no
// hit). Prints the indexing time, the index's size at rest and query latency (median and p95).
//
// Usage: node --conditions=source --import tsx bench/web/search.ts [--messages 100000] [--conversations 40]
//        [--queries 450]
import { randomUUID } from 'node:crypto';
import { launchChromium, openContext } from '../../packages/web/test/helpers/browser.js';
import { startWebTestServer } from '../../packages/web/test/helpers/web-server.js';
import { buildSearchPage } from '../../packages/web/test/search-page/build.js';
import type {} from '../../packages/web/test/search-page/api.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const MESSAGES = arg('messages', 100_000);
const CONVERSATIONS = arg('conversations', 40);
const QUERIES = arg('queries', 450);

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const mb = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`;

const pageBuild = await buildSearchPage();
const server = await startWebTestServer(pageBuild.dir);
const browser = await launchChromium();
try {
  const { page } = await openContext(browser, 'desktop');
  await page.goto(server.url);
  await page.waitForFunction(() => 'enletsSearch' in window);
  console.log(`indexing ${String(MESSAGES)} generated messages in ${String(CONVERSATIONS)} conversations…`);
  const report = await page.evaluate((options) => window.enletsSearch.runBench(options), {
    userId: randomUUID(),
    messages: MESSAGES,
    conversations: CONVERSATIONS,
    queries: QUERIES,
  });
  const all = Object.values(report.latencies).flat();
  console.log(`\ndevice search, Chromium worker, ${String(report.messages)} messages`);
  console.log(
    `indexing: ${(report.indexingMs / 1000).toFixed(1)} s (${Math.round(report.messages / (report.indexingMs / 1000)).toLocaleString('en')} messages/s)`,
  );
  console.log(
    `index at rest: documents ${mb(report.docBytes)}, postings ${mb(report.segmentBytes)} in ${String(report.segments)} segments` +
      (report.storageUsageBytes === null ? '' : `; origin storage grew ${mb(report.storageUsageBytes)}`),
  );
  console.log(
    `queries: ${String(all.length)}, median ${ms(percentile(all, 0.5))}, p95 ${ms(percentile(all, 0.95))} (target: p95 well under 100 ms)`,
  );
  for (const [kind, times] of Object.entries(report.latencies)) {
    const hits = report.hitsPerKind[kind] ?? 0;
    console.log(
      `  ${kind.padEnd(20)} median ${ms(percentile(times, 0.5)).padStart(9)}  p95 ${ms(percentile(times, 0.95)).padStart(9)}  cold ${ms(report.cold[kind] ?? Number.NaN).padStart(9)}  (${(hits / times.length).toFixed(1)} hits per query)`,
    );
  }
  const cold = Object.values(report.cold);
  console.log(
    `cold (first query on a freshly opened index, nothing decrypted in memory): median ${ms(percentile(cold, 0.5))}, worst ${ms(Math.max(...cold))}`,
  );
} finally {
  await browser.close();
  await server.close();
  pageBuild.remove();
}
