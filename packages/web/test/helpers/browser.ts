import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium: the suite never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';
const RESULTS_DIR = new URL('../../test-results', import.meta.url).pathname;
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1440, height: 900 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/**
 * Why the browser suite cannot run here, or undefined when it can. Without Chromium a developer's machine
 * skips it with this message; CI must have it, so there its absence is a failure, not a skip.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const message = `${CHROMIUM} is missing (apt-get install chromium): the browser tests need it`;
  if (process.env['CI'] !== undefined && process.env['CI'] !== '') throw new Error(message);
  return message;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** What the page reported that it should not have: CSP violations, console errors, uncaught exceptions. */
export interface PageProblems {
  readonly cspViolations: string[];
  readonly consoleErrors: string[];
}

/**
 * A browser context with CSP violation reporting: a listener installed before any page script runs passes
 * every `securitypolicyviolation` out through a DevTools binding (which no CSP can block), and console errors
 * and uncaught exceptions are collected alongside.
 */
export async function openContext(
  browser: Browser,
  viewport: ViewportName,
  locale = 'en-GB',
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], locale });
  return { context, ...(await watchProblems(context)) };
}

/**
 * A browser on a profile kept on disk in `userDataDir` (a new context is in memory only), watched as
 * `openContext` watches one: for tests that read what the browser wrote to its profile.
 */
export async function openPersistentContext(
  userDataDir: string,
  viewport: ViewportName,
  locale = 'en-GB',
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
    viewport: VIEWPORTS[viewport],
    locale,
  });
  return { context, ...(await watchProblems(context)) };
}

async function watchProblems(context: BrowserContext): Promise<{ page: Page; problems: PageProblems }> {
  const problems: PageProblems = { cspViolations: [], consoleErrors: [] };
  await context.exposeFunction('enletsReportCspViolation', (report: string) => {
    problems.cspViolations.push(report);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { enletsReportCspViolation: (text: string) => Promise<void> })
        .enletsReportCspViolation;
      void report(
        `${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}`,
      );
    });
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(`uncaught: ${error.message}`));
  return { page, problems };
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * axe-core on the current screen (WCAG 2.1 A and AA rules and best practices). The source is evaluated
 * through the DevTools protocol: a `<script>` element with it inline would be refused by the CSP, which is
 * the point of the CSP.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }
    ).axe;
    interface AxeResults {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    }
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** Saves a screenshot of the page as a test artifact: test-results/<name>-<viewport>.png. */
export async function screenshot(page: Page, name: string, viewport: ViewportName): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}-${viewport}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Screenshots of the current screen at every viewport (phone and desktop), then back to the page's own size. */
export async function screenshotBothSizes(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
    await page.setViewportSize(VIEWPORTS[viewport]);
    await screenshot(page, name, viewport);
  }
  if (original !== null) await page.setViewportSize(original);
}

/** The screen has no serious or critical axe violation (issue #5's accessibility bar). */
export async function assertNoSeriousAxeViolations(page: Page, screen: string): Promise<void> {
  const serious = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0)
    throw new Error(`axe on the ${screen} screen: ${JSON.stringify(serious, undefined, 2)}`);
}
