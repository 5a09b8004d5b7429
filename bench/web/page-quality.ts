// Lighthouse-style page quality of the web client's main screens (issue #5), measured in Debian's Chromium against
// the real server. Lighthouse itself is not installed here (no downloads beyond npm, no new dependencies), so this
// takes the same figures the way Lighthouse's "devtools" throttling mode does, from the browser's own
// PerformanceObserver entries and the DevTools protocol; the numbers are comparable in kind, not identical (no
// simulated "lantern" throttling, no Lighthouse scoring).
//
// Per screen, the median of --runs cold loads (HTTP cache, service worker and its cache cleared before each;
// cookies and IndexedDB kept, as a returning browser whose app shell is gone):
// - FCP, LCP: `paint` and `largest-contentful-paint` entries of the load.
// - CLS: layout shifts without recent input, grouped into session windows (gaps < 1 s, windows ≤ 5 s), the worst
//   window, as Chromium and Lighthouse define it.
// - TBT: of every long task (`longtask` entries, > 50 ms) that starts after FCP until the page has been quiet
//   (no long task) for 3 s, the part beyond 50 ms, summed (Lighthouse stops at Time to Interactive, which also
//   waits for a quiet window: 5 s there).
// - JS / CSS transferred: bytes on the wire (body as sent + headers, from Playwright's request events) of scripts
//   and style sheets fetched by the load, the secure worker's scripts included, and what the scripts would weigh
//   gzipped (the server sends them unencoded).
// - axe-core (WCAG 2.1 A/AA and best practices): serious and critical violations, and the color-contrast rule's
//   result (nodes failing, nodes axe could not decide, e.g. text over an image, and nodes passing).
//
// The chat is not an address of its own: it opens from the conversation list with a click, which ends LCP (the
// browser stops reporting it on input). For it the figures are those of the opening: from the click until the
// latest message is painted (in place of FCP/LCP), and the shifts, long tasks and bytes after the click.
//
// --mobile applies Lighthouse's mobile profile: a 390×844 viewport, the CPU slowed 4× (`Emulation.
// setCPUThrottlingRate`) and the network of its devtools throttling (562.5 ms round trip, 1.47 Mbit/s down,
// 675 kbit/s up: the "Fast 3G"-like preset, `Network.emulateNetworkConditions`). The network throttling applies
// to the page's DevTools target; the secure worker's own fetches may escape it (the protocol throttles per target).
//
// Usage: node --conditions=source --import tsx bench/web/page-quality.ts [--mobile] [--runs 3]
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { CDPSession, Page, Request } from 'playwright-core';
import { encodeContent } from '@enlets/client';
import type { CreateConversationResponse } from '@enlets/protocol';
import { launchChromium, openContext, VIEWPORTS } from '../../packages/web/test/helpers/browser.js';
import { firstDevice, signInAndRecover } from '../../packages/web/test/helpers/devices.js';
import { buildWebClient, seedUser, startWebTestServer } from '../../packages/web/test/helpers/web-server.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const RUNS = arg('runs', 3);
const MOBILE = process.argv.includes('--mobile');
const VIEWPORT = MOBILE ? 'phone' : 'desktop';
/** Lighthouse's mobile devtools throttling (lighthouse-core/config/constants.js, `mobileSlow4G` × its factors). */
const MOBILE_NETWORK = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1474.56 * 1024) / 8,
  uploadThroughput: (675 * 1024) / 8,
};
const MOBILE_CPU_SLOWDOWN = 4;
const QUIET_MS = 3_000;
const SETTLE_CAP_MS = 30_000;
const LATEST = 'Latest: the handover is at 14:00 at the north gate.';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** What the page records of itself from the first script on (plain JS: it is injected as text). */
const RECORDER = `(() => {
  const q = { fcp: null, lcp: null, shifts: [], longTasks: [] };
  window.__quality = q;
  const watch = (type, each) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(each)).observe({ type, buffered: true });
    } catch {}
  };
  watch('paint', (e) => { if (e.name === 'first-contentful-paint') q.fcp = e.startTime; });
  watch('largest-contentful-paint', (e) => { q.lcp = e.startTime; });
  watch('layout-shift', (e) => { if (!e.hadRecentInput) q.shifts.push({ at: e.startTime, value: e.value }); });
  watch('longtask', (e) => { q.longTasks.push({ at: e.startTime, duration: e.duration }); });
})();`;

interface Recorded {
  readonly fcp: number | null;
  readonly lcp: number | null;
  readonly shifts: readonly { readonly at: number; readonly value: number }[];
  readonly longTasks: readonly { readonly at: number; readonly duration: number }[];
}

interface Sample {
  /** FCP of a load; for the chat, click → latest message painted. */
  readonly fcp: number;
  readonly lcp: number;
  readonly cls: number;
  readonly tbt: number;
  readonly jsBytes: number;
  readonly jsGzipBytes: number;
  readonly cssBytes: number;
}

interface AxeSummary {
  readonly seriousOrCritical: number;
  readonly contrastFailing: number;
  readonly contrastUndecided: number;
  readonly contrastPassing: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** The worst session window of layout shifts (gaps under 1 s, at most 5 s long). */
function cumulativeLayoutShift(shifts: Recorded['shifts'], from = 0): number {
  let worst = 0;
  let window = 0;
  let windowStart = Number.NEGATIVE_INFINITY;
  let previous = Number.NEGATIVE_INFINITY;
  for (const shift of shifts.filter((s) => s.at >= from)) {
    if (shift.at - previous >= 1_000 || shift.at - windowStart >= 5_000) {
      window = 0;
      windowStart = shift.at;
    }
    window += shift.value;
    previous = shift.at;
    worst = Math.max(worst, window);
  }
  return worst;
}

/** Long tasks' time beyond 50 ms, of the tasks that start after `from`. */
function totalBlockingTime(tasks: Recorded['longTasks'], from: number): number {
  return tasks.filter((t) => t.at >= from).reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);
}

async function recorded(page: Page): Promise<Recorded> {
  return page.evaluate<Recorded>('window.__quality');
}

/** Waits until no long task has started for QUIET_MS (at most SETTLE_CAP_MS), as TTI's quiet window does. */
async function settle(page: Page): Promise<void> {
  const started = Date.now();
  let lastCount = -1;
  let quietSince = Date.now();
  while (Date.now() - started < SETTLE_CAP_MS) {
    const count = (await recorded(page)).longTasks.length;
    if (count !== lastCount) {
      lastCount = count;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= QUIET_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Bytes on the wire (encoded body and headers) of scripts and style sheets since the last `reset`, from
 * Playwright's request events: they include the requests of the page's dedicated workers (the secure worker and
 * its chunks), which a DevTools session of the page alone does not see.
 */
class TransferCounter {
  #js = 0;
  #css = 0;
  #jsGzip = 0;
  #pending: Promise<void>[] = [];

  constructor(page: Page) {
    page.context().on('requestfinished', (request) => {
      // The service worker's own fetches (it stores the app shell after a load) are not the screen's.
      if (request.serviceWorker() === null) this.#pending.push(this.#count(request));
    });
  }

  async #count(request: Request): Promise<void> {
    const path = new URL(request.url()).pathname;
    const type = request.resourceType();
    const kind =
      type === 'script' || /\.m?js$/.test(path)
        ? 'js'
        : type === 'stylesheet' || path.endsWith('.css')
          ? 'css'
          : undefined;
    if (kind === undefined) return;
    const response = await request.response();
    if (response === null) return;
    const body = await response.body().catch(() => Buffer.alloc(0));
    const encoded = (await response.headerValue('content-encoding')) !== null;
    // Chromium reports no sizes for some requests (the secure worker's imports, chunks a preload already has on
    // the way): then the body as received stands for them, which is exact when the server sends it unencoded.
    const sizes = await request.sizes();
    const wire =
      Math.max(0, sizes.responseHeadersSize) +
      (sizes.responseBodySize > 0 ? sizes.responseBodySize : encoded ? 0 : body.length);
    if (kind === 'css') {
      this.#css += wire;
      return;
    }
    this.#js += wire;
    // What the same scripts would weigh gzipped (the server sends them without content-encoding).
    this.#jsGzip += encoded ? wire : gzipSync(body).length;
  }

  async totals(): Promise<{ readonly js: number; readonly css: number; readonly jsGzip: number }> {
    await Promise.all(this.#pending.splice(0));
    return { js: this.#js, css: this.#css, jsGzip: this.#jsGzip };
  }

  /** Starts again from zero, once what is still being counted has been. */
  async reset(): Promise<void> {
    await this.totals();
    this.#js = 0;
    this.#css = 0;
    this.#jsGzip = 0;
  }
}

/** The DevTools session of a page (cache, throttling) with the mobile profile applied when asked. */
async function instrument(page: Page): Promise<{ session: CDPSession; bytes: TransferCounter }> {
  const session = await page.context().newCDPSession(page);
  const bytes = new TransferCounter(page);
  await session.send('Network.enable');
  await page.addInitScript({ content: RECORDER });
  if (MOBILE) {
    await session.send('Emulation.setCPUThrottlingRate', { rate: MOBILE_CPU_SLOWDOWN });
    await session.send('Network.emulateNetworkConditions', MOBILE_NETWORK);
  }
  return { session, bytes };
}

/** One cold load of `url`: cache cleared, then the screen's own "ready" wait, then the quiet window. */
async function load(
  page: Page,
  tools: { session: CDPSession; bytes: TransferCounter },
  url: string,
  ready: (page: Page) => Promise<void>,
): Promise<Sample> {
  await page.goto('about:blank');
  // A cold load, as Lighthouse makes it, but of a returning browser: the HTTP cache, the service worker and
  // its cached app shell go; cookies and IndexedDB (the session and the device's keys) stay.
  await tools.session.send('Storage.clearDataForOrigin', {
    origin: new URL(url).origin,
    storageTypes: 'service_workers,cache_storage',
  });
  await tools.session.send('Network.clearBrowserCache');
  await tools.bytes.reset();
  await page.goto(url);
  await ready(page);
  await settle(page);
  const q = await recorded(page);
  const fcp = q.fcp ?? Number.NaN;
  const bytes = await tools.bytes.totals();
  return {
    fcp,
    lcp: q.lcp ?? Number.NaN,
    cls: cumulativeLayoutShift(q.shifts),
    tbt: totalBlockingTime(q.longTasks, fcp),
    jsBytes: bytes.js,
    jsGzipBytes: bytes.jsGzip,
    cssBytes: bytes.css,
  };
}

async function axe(page: Page): Promise<AxeSummary> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate<AxeSummary>(`(async () => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    const nodes = (list) => list.filter((r) => r.id === 'color-contrast').reduce((n, r) => n + r.nodes.length, 0);
    return {
      seriousOrCritical: results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').length,
      contrastFailing: nodes(results.violations),
      contrastUndecided: nodes(results.incomplete),
      contrastPassing: nodes(results.passes),
    };
  })()`);
}

const loadText = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const web = await buildWebClient();
const server = await startWebTestServer(web.dir);
const browser = await launchChromium();
const results: { screen: string; samples: Sample[]; axe: AxeSummary }[] = [];
let loadBefore = '';
try {
  // Anna runs the Secretariat (the admin console is hers); a few members fill its table.
  const anna = await seedUser(server, 'Anna Schmidt', ['secretariat_admin', 'lea_member']);
  const bruno = await seedUser(server, 'Bruno Lefèvre');
  for (const name of ['Maria Kowalski', 'Jan de Vries', 'Sofia Rossi', 'Lukas Novak'])
    await seedUser(server, name);
  const annaFirst = await firstDevice(server.url, anna);
  const brunoFirst = await firstDevice(server.url, bruno);
  const direct = await anna.api.post<CreateConversationResponse>('/conversations', {
    kind: 'direct',
    userId: bruno.id,
  });
  for (let i = 0; i < 5; i += 1)
    await bruno.api.post('/conversations', {
      kind: 'group',
      name: `Case ${String(i + 1).padStart(3, '0')}`,
      tlp: 'GREEN',
      memberIds: [anna.id],
    });
  const conversationId = direct.conversation.id;
  await (
    await annaFirst.device.messenger.send(
      conversationId,
      encodeContent({ type: 'text', text: 'Hello Bruno.' }),
    )
  ).acknowledged;
  for (let i = 1; i <= 30; i += 1) {
    const text =
      i === 30 ? LATEST : `Report ${String(i)}: **nothing unusual** at checkpoint ${String(i % 7)}.`;
    await (
      await brunoFirst.device.messenger.send(conversationId, encodeContent({ type: 'text', text }))
    ).acknowledged;
  }

  loadBefore = loadText();
  // Sign-in: a browser that has never been here.
  {
    const { context, page } = await openContext(browser, VIEWPORT);
    const tools = await instrument(page);
    const samples: Sample[] = [];
    for (let run = 0; run < RUNS; run += 1)
      samples.push(
        await load(page, tools, server.url, (p) => p.getByRole('button', { name: 'Sign in' }).waitFor()),
      );
    results.push({ screen: 'sign-in', samples, axe: await axe(page) });
    await context.close();
  }

  // Anna's browser: signed in, her keys recovered into it once; then every screen loads as a returning visit.
  const { context, page } = await openContext(browser, VIEWPORT);
  await signInAndRecover(page, server.url, anna, annaFirst.passphrase, 120_000);
  await page.getByRole('button', { name: /Bruno Lefèvre/ }).click();
  await page.getByText(LATEST).waitFor({ timeout: 120_000 });
  const tools = await instrument(page);
  const listReady = async (p: Page): Promise<void> => {
    await p.getByRole('heading', { name: 'Conversations' }).waitFor({ timeout: 120_000 });
    await p.getByRole('button', { name: /Case 005/ }).waitFor({ timeout: 120_000 });
  };

  const list: Sample[] = [];
  for (let run = 0; run < RUNS; run += 1) list.push(await load(page, tools, server.url, listReady));
  results.push({ screen: 'conversation list', samples: list, axe: await axe(page) });

  const chat: Sample[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    await load(page, tools, server.url, listReady);
    await tools.bytes.reset();
    await page.evaluate(`(() => {
      window.__opened = undefined;
      document.addEventListener('click', (event) => {
        const check = () => {
          if (document.querySelector('.chat-scroller')?.textContent.includes(${JSON.stringify(LATEST)}))
            requestAnimationFrame(() => (window.__opened = performance.now()));
          else requestAnimationFrame(check);
        };
        window.__clickedAt = event.timeStamp;
        requestAnimationFrame(check);
      }, { capture: true, once: true });
    })()`);
    await page.getByRole('button', { name: /Bruno Lefèvre/ }).click();
    // A function, not a string: the page's CSP refuses string evaluation while polling.
    await page.waitForFunction(
      () => (window as unknown as { __opened?: number }).__opened !== undefined,
      undefined,
      {
        timeout: 60_000,
      },
    );
    await settle(page);
    const q = await recorded(page);
    const bytes = await tools.bytes.totals();
    const { clicked, opened } = await page.evaluate<{ clicked: number; opened: number }>(
      '({ clicked: window.__clickedAt, opened: window.__opened })',
    );
    chat.push({
      fcp: opened - clicked,
      // The click ends LCP reporting: the opening's time stands in the FCP column instead.
      lcp: Number.NaN,
      cls: cumulativeLayoutShift(q.shifts, clicked),
      tbt: totalBlockingTime(q.longTasks, clicked),
      jsBytes: bytes.js,
      jsGzipBytes: bytes.jsGzip,
      cssBytes: bytes.css,
    });
  }
  results.push({ screen: 'chat (opened from the list)', samples: chat, axe: await axe(page) });

  const account: Sample[] = [];
  for (let run = 0; run < RUNS; run += 1)
    account.push(
      await load(page, tools, `${server.url}/account`, async (p) => {
        await p.getByRole('heading', { name: 'Account', level: 1 }).waitFor({ timeout: 120_000 });
        await p.locator('.account-item.is-current').first().waitFor({ timeout: 120_000 });
      }),
    );
  results.push({ screen: 'account', samples: account, axe: await axe(page) });

  const admin: Sample[] = [];
  for (let run = 0; run < RUNS; run += 1)
    admin.push(
      await load(page, tools, `${server.url}/admin`, async (p) => {
        await p.getByRole('heading', { name: 'Members', level: 1 }).waitFor({ timeout: 120_000 });
        await p.getByRole('table').getByRole('button', { name: 'Maria Kowalski' }).waitFor();
      }),
    );
  results.push({ screen: 'admin (members)', samples: admin, axe: await axe(page) });
  await context.close();
  await annaFirst.device.stop();
  await brunoFirst.device.stop();
} finally {
  await browser.close();
  await server.close();
  web.remove();
}

const profile = MOBILE
  ? `mobile profile: ${String(VIEWPORTS.phone.width)}×${String(VIEWPORTS.phone.height)}, CPU ÷${String(MOBILE_CPU_SLOWDOWN)}, 562.5 ms RTT / 1.47 Mbit/s down`
  : `desktop ${String(VIEWPORTS.desktop.width)}×${String(VIEWPORTS.desktop.height)}, no throttling`;
console.log(
  `\nLighthouse-style page quality (not Lighthouse), ${profile}; median of ${String(RUNS)} cold loads; ` +
    `load average (1 / 5 / 15 min) ${loadBefore} before, ${loadText()} after, on ${String(cpus().length)} cores`,
);
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const msText = (value: number): string => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(0)} ms`);
console.log(
  '| screen | FCP | LCP | CLS | TBT | JS transferred (gzip would be) | CSS transferred | axe serious+critical | color-contrast fail / undecided / pass |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { screen, samples, axe: a } of results) {
  const m = (pick: (s: Sample) => number): number => median(samples.map(pick));
  console.log(
    `| ${screen} | ${msText(m((s) => s.fcp))} | ${msText(m((s) => s.lcp))} | ${m((s) => s.cls).toFixed(3)} | ` +
      `${msText(m((s) => s.tbt))} | ${kb(m((s) => s.jsBytes))} (${kb(m((s) => s.jsGzipBytes))}) | ${kb(m((s) => s.cssBytes))} | ` +
      `${String(a.seriousOrCritical)} | ${String(a.contrastFailing)} / ${String(a.contrastUndecided)} / ${String(a.contrastPassing)} |`,
  );
}
