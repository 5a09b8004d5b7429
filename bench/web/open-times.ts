// How fast the web client opens, on localhost against the real server (issue #5's figures): a returning user
// reloads the app with 500 conversations (keys kept in this browser) — time until the conversation list is on
// screen; then opens a conversation of 10,000 end-to-end encrypted messages — time until its latest screen is
// rendered. Each figure is the median of several runs; the first run of each is printed apart (cold caches).
//
// Usage: node --conditions=source --import tsx bench/web/open-times.ts [--conversations 500] [--messages 10000]
import { encodeContent } from '@enlets/client';
import { openSecureDevice } from '../../packages/client/test/secure-device.js';
import { launchChromium, openContext } from '../../packages/web/test/helpers/browser.js';
import { buildWebClient, seedUser, startWebTestServer } from '../../packages/web/test/helpers/web-server.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const CONVERSATIONS = arg('conversations', 500);
const MESSAGES = arg('messages', 10_000);
const RUNS = arg('runs', 5);

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const ms = (value: number): string => `${value.toFixed(0)} ms`;

const web = await buildWebClient();
const server = await startWebTestServer(web.dir);
const browser = await launchChromium();
try {
  const anna = await seedUser(server, 'Anna Schmidt');
  const bruno = await seedUser(server, 'Bruno Lefèvre');

  // Anna's first device is this browser: her keys are made here and a recovery code protects them.
  const { page } = await openContext(browser, 'desktop');
  await page.goto(server.url);
  await page.getByLabel('E-mail address').fill(anna.email);
  await page.getByLabel('Password').fill(anna.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Suggest a generated code' }).click({ timeout: 60_000 });
  const code = (await page.locator('.recovery-code code').textContent()) ?? '';
  await page.getByLabel('Type the passphrase again').fill(code);
  await page.getByRole('button', { name: 'Save recovery passphrase' }).click();
  await page.getByRole('heading', { name: 'Conversations' }).waitFor({ timeout: 120_000 });

  process.stdout.write(`seeding ${String(CONVERSATIONS)} conversations… `);
  let started = performance.now();
  let bigId = '';
  for (let i = 0; i < CONVERSATIONS; i += 1) {
    const created = await bruno.api.post<{ conversation: { id: string } }>('/conversations', {
      kind: 'group',
      name: i === 0 ? 'Operation Nightjar' : `Case ${String(i).padStart(3, '0')}`,
      tlp: 'GREEN',
      memberIds: [anna.id],
    });
    if (i === 0) bigId = created.conversation.id;
  }
  console.log(ms(performance.now() - started));

  // Seeding goes faster than one person may write (the gateway's per-connection budget is 10 sends a second).
  server.built.gateway.configure({
    rate: {
      perSecond: 100_000,
      burst: 100_000,
      writesPerSecond: 100_000,
      writeBurst: 100_000,
      floodCloseMs: 3_000,
    },
  });
  process.stdout.write(`sending ${String(MESSAGES)} encrypted messages… `);
  started = performance.now();
  const brunoDevice = await openSecureDevice(server.url, bruno.id, bruno.token);
  const acks: Promise<unknown>[] = [];
  for (let i = 1; i <= MESSAGES; i += 1) {
    const text = `Report ${String(i)} of ${String(MESSAGES)}: nothing unusual at checkpoint ${String(i % 40)}.`;
    const sent = await brunoDevice.messenger.send(bigId, encodeContent({ type: 'text', text }));
    acks.push(sent.acknowledged);
    if (acks.length >= 200) await Promise.all(acks.splice(0));
  }
  await Promise.all(acks);
  console.log(ms(performance.now() - started));
  const latest = `Report ${String(MESSAGES)} of ${String(MESSAGES)}`;

  // Anna's browser decrypts them as they arrive; wait until it has all of them.
  process.stdout.write('the browser decrypts them… ');
  started = performance.now();
  await page.getByRole('button', { name: /Operation Nightjar/ }).click();
  await page.getByText(latest).waitFor({ timeout: 600_000 });
  console.log(ms(performance.now() - started));

  const listTimes: number[] = [];
  const openTimes: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    await page.goto('about:blank');
    const before = performance.now();
    await page.goto(server.url);
    await page
      .locator('.conversation-list li')
      .nth(CONVERSATIONS - 1)
      .waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByRole('button', { name: /Operation Nightjar/ }).waitFor();
    listTimes.push(performance.now() - before);

    const clicked = performance.now();
    await page.getByRole('button', { name: /Operation Nightjar/ }).click();
    await page.getByText(latest).waitFor({ timeout: 60_000 });
    openTimes.push(performance.now() - clicked);
  }
  const rows = await page.locator('.timeline > li').count();
  console.log(
    `\nweb client on localhost, ${String(CONVERSATIONS)} conversations, ${String(MESSAGES)} messages`,
  );
  console.log(
    `reload → conversation list rendered: median ${ms(median(listTimes.slice(1)))} (first ${ms(listTimes[0] ?? 0)}; target ≤ 1000 ms)`,
  );
  console.log(
    `open the 10,000-message conversation → latest screen: median ${ms(median(openTimes.slice(1)))} (first ${ms(openTimes[0] ?? 0)}; target ≤ 300 ms; ${String(rows)} rows in the DOM)`,
  );
  await brunoDevice.stop();
} finally {
  await browser.close();
  await server.close();
  web.remove();
}
