import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { encodeContent } from '@enlets/client';
import type { ChannelDetails, CreateConversationResponse, UserId } from '@enlets/protocol';
import { type SecureTestDevice } from '../../client/test/secure-device.js';
import { waitFor } from '../../client/test/helpers.js';
import { inTransaction } from '../../server/src/domain/services.js';
import { newId } from '../../server/src/lib/secrets.js';
import { grantRole, insertUser } from '../../server/src/storage/repositories/users.js';
import { safeName } from '../src/ui/safe-name.js';
import {
  browserUnavailable,
  launchChromium,
  openContext,
  screenshot,
  type PageProblems,
} from './helpers/browser.js';
import {
  buildWebClient,
  seedUser,
  SEEDING_REALTIME,
  startWebTestServer,
  type SeededUser,
  type WebTestServer,
} from './helpers/web-server.js';
import { XSS_PAYLOADS } from './xss-payloads.js';
import { firstDevice as firstDeviceOf, waitForUnlockedMessenger } from './helpers/devices.js';

const unavailable = browserUnavailable();
if (unavailable !== undefined) console.log(`# XSS suite skipped: ${unavailable}`);

/** Chromium logs every 4xx response on the console; a 401 is how the client learns it is signed out. */
const EXPECTED_CONSOLE = /Failed to load resource: the server responded with a status of 401/;
/** The server's limits for a display name and a group name, and for a channel name. */
const NAME_LIMIT = 120;
const CHANNEL_NAME_LIMIT = 100;
/** What operational chat uses Markdown for, sent after the payloads: it must still look like that. */
const FORMATTED = [
  '# Handover',
  'Suspect **left** the *station* at `14:05`.',
  'Second line of the same paragraph.',
  '',
  '- plate [B-XY 123](https://police.example/plates/B-XY-123)',
  '- see <https://police.example/case/42>',
  '',
  '> quoted from the briefing',
  '',
  '```',
  'raw log line <b>1</b>',
  '```',
].join('\n');

/** What a reader sees of a text, whitespace aside (line breaks and wrapping differ from the source). */
const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * A payload as a name: the server refuses control characters other than tab and newline (nothing a browser
 * shows), and names have a length limit. Whole code points are kept, so the cut never splits a character.
 */
function asName(payload: string, limit: number): string | undefined {
  // eslint-disable-next-line no-control-regex -- the very characters the server refuses in a name
  const name = Array.from(payload.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, ''))
    .slice(0, limit)
    .join('')
    .slice(0, limit);
  return name.trim() === '' ? undefined : name;
}

describe(
  'safe rendering: XSS payloads in messages and names, in Chromium against the real server',
  {
    skip: unavailable,
  },
  () => {
    let removeBuild: () => void;
    let server: WebTestServer;
    let browser: Browser;
    let anna: SeededUser;
    let bruno: SeededUser;
    let annaFirst: SecureTestDevice;
    let brunoFirst: SecureTestDevice;
    let bodiesId: string;
    const passphrases = new Map<string, string>();
    const problems: PageProblems[] = [];
    /** Names as the server stored them: group and channel names, and other people's display names. */
    const conversationNames: string[] = [];
    const displayNames: string[] = [];
    const brunoName = 'Вruno\u202E Lefèvre <img src=x onerror=window.__xss()>';
    let page: Page;
    /** Calls of the trap every payload would make if it ran, and dialogs opened. */
    const executions: string[] = [];

    async function firstDevice(user: SeededUser): Promise<SecureTestDevice> {
      const { device, passphrase } = await firstDeviceOf(server.url, user);
      passphrases.set(user.id, passphrase);
      return device;
    }

    /** People named by the payloads: written through the repositories (one password hash for all). */
    async function namedMembers(names: readonly string[]): Promise<UserId[]> {
      const services = server.built.services;
      const passwordHash = await services.passwords.hash('correct horse battery staple');
      const ids = names.map(() => newId<UserId>());
      await inTransaction(services, async (trx) => {
        const now = services.clock.now();
        for (const [index, displayName] of names.entries()) {
          const id = ids[index] as UserId;
          await insertUser(trx, {
            id,
            email: `xss-${String(index)}@police.example`,
            displayName,
            countryCode: 'DE',
            agencyId: null,
            position: 'Analyst',
            status: 'active',
            passwordHash,
            now,
          });
          await grantRole(trx, id, { role: 'lea_member', scope: '' }, null, now);
        }
      });
      return ids;
    }

    before(async () => {
      const webBuild = await buildWebClient();
      removeBuild = webBuild.remove;
      server = await startWebTestServer(webBuild.dir, {}, SEEDING_REALTIME);
      browser = await launchChromium();
      anna = await seedUser(server, 'Anna Schmidt');
      bruno = await seedUser(server, 'Bruno Lefevre');
      await bruno.api.patch('/me', { displayName: brunoName });
      annaFirst = await firstDevice(anna);
      brunoFirst = await firstDevice(bruno);

      const created = await anna.api.post<CreateConversationResponse>('/conversations', {
        kind: 'group',
        name: 'XSS bodies',
        memberIds: [bruno.id],
      });
      bodiesId = created.conversation.id;
      // Every payload as a message body, end-to-end encrypted from Bruno's device, acknowledged in the end (the
      // server runs with seeding limits: by default it takes 10 messages a second from one connection).
      const acknowledged: Promise<unknown>[] = [];
      for (const { body } of XSS_PAYLOADS) {
        const sent = await brunoFirst.messenger.send(bodiesId, encodeContent({ type: 'text', text: body }));
        acknowledged.push(sent.acknowledged);
      }
      const formatted = await brunoFirst.messenger.send(
        bodiesId,
        encodeContent({ type: 'text', text: FORMATTED }),
      );
      await Promise.all([...acknowledged, formatted.acknowledged]);
      // Anna's first device reads them and keeps them in her history archive, for the browser to recover.
      await waitFor(
        () => annaFirst.texts(bodiesId).length === XSS_PAYLOADS.length + 1 || undefined,
        'Anna reads every payload',
        60_000,
      );
      await annaFirst.messenger.flushArchive();

      // Every payload as a name, in turn a group's, a channel's, and a person's Anna has a 1:1 with.
      const people: string[] = [];
      await Promise.all(
        XSS_PAYLOADS.map(async ({ body }, index) => {
          const use = (['group', 'channel', 'person'] as const)[index % 3];
          const name = asName(body, use === 'channel' ? CHANNEL_NAME_LIMIT : NAME_LIMIT);
          if (name === undefined) return;
          if (use === 'person') {
            people.push(name);
          } else if (use === 'channel') {
            const details = await anna.api.post<ChannelDetails>('/channels', {
              name,
              tlp: 'GREEN',
              joinMode: 'open',
              listed: true,
              readOnly: false,
              leaveAllowed: true,
              scopeKind: 'adhoc',
            });
            conversationNames.push(details.name);
          } else {
            const group = await anna.api.post<CreateConversationResponse>('/conversations', {
              kind: 'group',
              name,
              memberIds: [bruno.id],
            });
            conversationNames.push(group.conversation.name ?? '');
          }
        }),
      );
      const ids = await namedMembers(people);
      await Promise.all(ids.map((userId) => anna.api.post('/conversations', { kind: 'direct', userId })));
      displayNames.push(...people);

      // Anna signs in on a new browser, with a trap for anything that would run.
      const opened = await openContext(browser, 'desktop');
      problems.push(opened.problems);
      page = opened.page;
      await opened.context.exposeFunction('__xss', () => {
        executions.push('window.__xss()');
      });
      page.on('dialog', (dialog) => {
        executions.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      await page.goto(server.url);
      await page.getByLabel('E-mail address').fill(anna.email);
      await page.getByLabel('Password').fill(anna.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Recover your messages on this browser' }).waitFor();
      await page.getByLabel('Recovery passphrase').fill(passphrases.get(anna.id) ?? '');
      await page.getByRole('button', { name: 'Recover', exact: true }).click();
      await waitForUnlockedMessenger(page, 90_000);
    });

    after(async () => {
      await annaFirst.stop();
      await brunoFirst.stop();
      await browser.close();
      await server.close();
      removeBuild();
    });

    it('has more than 200 distinct payloads', () => {
      assert.ok(new Set(XSS_PAYLOADS.map((p) => p.body)).size >= 200, 'at least 200 distinct payloads');
    });

    it('shows every payload name as text in the conversation list, flagged where it can impersonate', async () => {
      const expected = [...conversationNames, ...displayNames].map((name) => safeName(name));
      await waitFor(
        async () => {
          const titles = await page.locator('.conversation-title .safe-name').count();
          return titles >= expected.length || undefined;
        },
        'every conversation listed',
        30_000,
      );
      // The other person's name of a 1:1 arrives after the list: wait until every one is in.
      const shownTitles = async (): Promise<string[]> =>
        page
          .locator('.conversation-title .safe-name')
          .evaluateAll((nodes) => nodes.map((n) => n.textContent));
      const emptyName = '(no visible name)';
      const want = expected.map((name) => (name.text === '' ? emptyName : name.text));
      await waitFor(
        async () => {
          const shown = new Set(await shownTitles());
          return want.every((name) => shown.has(name)) || undefined;
        },
        'every payload name shown as text',
        30_000,
      ).catch(async (error: unknown) => {
        const shown = new Set(await shownTitles());
        assert.deepEqual(
          want.filter((name) => !shown.has(name)),
          [],
          String(error),
        );
      });
      const flagged = expected.filter((name) => name.warnings.length > 0).length;
      assert.ok(flagged > 0, 'some payload names are flagged');
      assert.ok(
        (await page.locator('.conversation-title .name-warning').count()) >= flagged,
        'each tampered or mixed-script name carries a visible warning',
      );
      await page
        .locator('.conversation-title .name-warning .visually-hidden')
        .first()
        .getByText(/It may be imitating someone else/)
        .waitFor();
    });

    it('renders every payload message as text: nothing runs, nothing fetches, no dangerous link', async () => {
      await page.getByRole('button', { name: /XSS bodies/ }).click();
      await page.getByRole('heading', { name: 'XSS bodies' }).waitFor();
      const messages = page.locator('.timeline .message');
      await messages.first().waitFor({ timeout: 30_000 });
      // The Markdown renderer is its own chunk: until it is in, bodies show as plain text.
      await page.locator('.timeline .rich-text').first().waitFor();

      // The timeline is virtualized: walk it from the newest message to the first, reading each window of
      // rows (by seq) and checking its DOM, and loading older pages as the top is reached.
      const texts = new Map<number, string>();
      const dom: { dangerous: string[]; handlers: string[]; styled: number; links: TimelineLink[] } = {
        dangerous: [],
        handlers: [],
        styled: 0,
        links: [],
      };
      for (let stalled = 0; texts.size < XSS_PAYLOADS.length + 1 && stalled < 20;) {
        const before = texts.size;
        for (const row of await messages.evaluateAll((nodes) =>
          nodes.map((n) => ({
            seq: Number((n as HTMLElement).dataset['seq']),
            text: n.querySelector<HTMLElement>('.message-text')?.innerText ?? '',
          })),
        ))
          if (Number.isFinite(row.seq)) texts.set(row.seq, row.text);
        const window = await page.locator('.timeline').evaluate(inspectTimeline);
        dom.dangerous.push(...window.dangerous);
        dom.handlers.push(...window.handlers);
        dom.styled += window.styled;
        dom.links.push(...window.links);
        await page.locator('.chat-scroller').evaluate((scroller) => {
          scroller.scrollTop = Math.max(0, scroller.scrollTop - scroller.clientHeight * 0.8);
        });
        await page.waitForTimeout(150);
        stalled = texts.size === before ? stalled + 1 : 0;
      }
      assert.equal(texts.size, XSS_PAYLOADS.length + 1, 'every message was rendered at some point');

      // In order of sending: the nth message is the nth payload. Each is seen as the text that was typed.
      const shown = [...texts.entries()].sort(([a], [b]) => a - b).map(([, text]) => text);
      const missing = XSS_PAYLOADS.flatMap((payload, index) => {
        if (payload.shows === false) return [];
        const want = flat(payload.shows ?? payload.body);
        const got = flat(shown[index] ?? '');
        return got.includes(want) ? [] : [{ index, want, got: got.slice(0, 300) }];
      });
      assert.deepEqual(missing, [], 'every payload visible as text');

      assert.deepEqual(dom.dangerous, [], 'no img, script, iframe or other active element in the timeline');
      assert.deepEqual(dom.handlers, [], 'no on* attribute in the timeline');
      assert.equal(dom.styled, 0, 'no inline style from a message');
      assert.ok(dom.links.length > 0, 'the allowed links are links');
      for (const link of dom.links) {
        assert.ok(['http:', 'https:', 'mailto:'].includes(link.protocol), `link ${link.raw}`);
        assert.match(link.raw, /^(https?:\/\/|mailto:)/, 'written out in full');
        assert.equal(link.rel, 'noopener noreferrer nofollow');
        assert.equal(link.target, '_blank');
      }
      assert.equal(
        await page.locator('a[href^="javascript:" i], a[href^="data:" i], a[href^="vbscript:" i]').count(),
        0,
        'no link with a refused scheme anywhere on the page',
      );
      await page.locator('.chat-scroller').evaluate((scroller) => {
        scroller.scrollTop = scroller.scrollHeight;
      });
    });

    it('shows where a link really goes when its words say something else', async () => {
      const deceptive = page.locator('.timeline .message', { hasText: 'knab//:sptth' });
      // Virtualized: scroll up from the newest message until its row is rendered.
      for (let step = 0; step < 200 && (await deceptive.count()) === 0; step += 1) {
        await page.locator('.chat-scroller').evaluate((scroller) => {
          scroller.scrollTop = Math.max(0, scroller.scrollTop - scroller.clientHeight * 0.8);
        });
        await page.waitForTimeout(100);
      }
      const link = deceptive.locator('a');
      assert.equal(await link.getAttribute('href'), 'https://evil.example/');
      assert.match(
        (await deceptive.locator('.link-destination').textContent()) ?? '',
        /https:\/\/evil\.example\//,
      );
      assert.equal(await link.getAttribute('title'), 'https://evil.example/ (opens in a new tab)');
    });

    it('still renders the Markdown of operational chat', async () => {
      await page.locator('.chat-scroller').evaluate((scroller) => {
        scroller.scrollTop = scroller.scrollHeight;
      });
      await page.waitForTimeout(300);
      const message = page.locator('.timeline .message').last().locator('.message-text');
      await message.scrollIntoViewIfNeeded();
      assert.equal(await message.locator('p.md-heading > strong').textContent(), 'Handover');
      assert.equal(await message.locator('strong', { hasText: 'left' }).count(), 1);
      assert.equal(await message.locator('em').textContent(), 'station');
      assert.equal(await message.locator('p > code').textContent(), '14:05');
      assert.equal(await message.locator('br').count(), 1, 'a newline in a paragraph is a line break');
      assert.equal(await message.locator('ul > li').count(), 2);
      const plate = message.getByRole('link', { name: 'B-XY 123' });
      assert.equal(await plate.getAttribute('href'), 'https://police.example/plates/B-XY-123');
      assert.equal(
        await message.locator('.link-destination').count(),
        1,
        'the destination is shown beside words, not beside an address',
      );
      assert.equal((await message.locator('blockquote').textContent())?.trim(), 'quoted from the briefing');
      assert.equal(await message.locator('pre code').textContent(), 'raw log line <b>1</b>\n');
      await screenshot(page, 'markdown-message', 'desktop');
    });

    it("shows the sender's name neutralised and flagged", async () => {
      const sender = page.locator('.timeline .message-sender').first();
      assert.equal(await sender.locator('.safe-name').textContent(), safeName(brunoName).text);
      await sender.locator('.name-warning').waitFor();
      assert.equal(await sender.locator('img').count(), 0);
    });

    it('opens a payload-named conversation with its name as text in the header', async () => {
      const name = conversationNames.find((n) => n.includes('<img src=x onerror'));
      assert.ok(name !== undefined);
      await page
        .locator('.conversation-row', { hasText: safeName(name).text })
        .first()
        .click();
      const heading = page.locator('#chat-title .safe-name');
      await waitFor(
        async () => ((await heading.textContent()) === safeName(name).text ? true : undefined),
        'the header shows the name',
      );
      assert.equal(await page.locator('.chat-header svg:not(.icon)').count(), 0);
    });

    it('ran no payload and reported no CSP violation', async () => {
      // Give anything scheduled (timers, animations, focus handlers) a moment to fire.
      await page.waitForTimeout(500);
      assert.deepEqual(executions, [], 'no script execution, no dialog');
      assert.deepEqual(
        problems.flatMap((p) => p.cspViolations),
        [],
        'no CSP violation',
      );
      assert.deepEqual(
        problems.flatMap((p) => p.consoleErrors).filter((line) => !EXPECTED_CONSOLE.test(line)),
        [],
      );
    });
  },
);

interface TimelineLink {
  readonly protocol: string;
  readonly raw: string;
  readonly rel: string;
  readonly target: string;
}

/** What the rendered rows hold that a message must never make: active elements, handlers, styles, links. */
function inspectTimeline(timeline: Element): {
  dangerous: string[];
  handlers: string[];
  styled: number;
  links: TimelineLink[];
} {
  const dangerous = timeline.querySelectorAll(
    'script, img, iframe, object, embed, svg, math, style, link, meta, base, form, input, button:not(.message-actions button), video, audio, source, template, frame, frameset',
  );
  const handlers = [...timeline.querySelectorAll('*')].flatMap((element) =>
    element.getAttributeNames().filter((name) => name.toLowerCase().startsWith('on')),
  );
  const styled = timeline.querySelectorAll('.message-text [style], .message-text[style]');
  const links = [...timeline.querySelectorAll('a')].map((a) => ({
    protocol: new URL(a.href, document.baseURI).protocol,
    raw: a.getAttribute('href') ?? '',
    rel: a.rel,
    target: a.target,
  }));
  return {
    dangerous: [...dangerous].map((element) => element.outerHTML.slice(0, 200)),
    handlers,
    styled: styled.length,
    links,
  };
}
