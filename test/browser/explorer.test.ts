import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ensureExplorerBuilt } from '../../explorer/build';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The offline explorer in a real browser: Debian's Chromium (installed by .ci/run) driven by playwright-core, with
 * every request that leaves the subgraph's origin refused, as on a machine without internet. The Sandbox landing
 * page is tried first, cannot load from Apollo's CDN, and hands over to /explorer/, where a vehicle query is typed
 * and run. The screenshot is kept in test-artifacts/ (a CI artefact).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

describe('offline explorer in headless Chromium', () => {
  let stack: Stack;
  let context: BrowserContext;
  let profile: string;
  const external: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    await ensureExplorerBuilt();
    stack = await startStack();
    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const origin = new URL(stack.url).origin;
    // Offline: nothing but the subgraph's own origin answers.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
      external.push(url);
      return route.abort('internetdisconnected');
    });
  }, 180000);

  afterAll(async () => {
    await context?.close();
    await stack?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('the Sandbox landing page falls back to /explorer/, which runs a vehicle query and shows its kjennemerke', async () => {
    const [vehicle] = (await stack.sample(1)).vehicles;
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // The default landing page is still Apollo's Sandbox: it asks the CDN for its script first.
    await page.goto(stack.url, { waitUntil: 'commit' });
    await page.waitForURL('**/explorer/', { timeout: 30000 });
    expect(external.some((url) => url.startsWith('https://embeddable-sandbox.cdn.apollographql.com/'))).toBe(true);

    // From here on nothing may leave the origin.
    external.length = 0;
    pageErrors.length = 0;
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 60000 });
    await page.getByText('Variables', { exact: true }).click();
    await page.locator('.graphiql-editor-tool .monaco-editor').first().click();
    await page.keyboard.insertText(JSON.stringify({ kjennemerke: vehicle.kjennemerke }));
    await page.locator('.graphiql-execute-button').click();

    const response = page.locator('.graphiql-response');
    await response.getByText(`"${vehicle.kjennemerke}"`).waitFor({ timeout: 30000 });
    await expect(response.getByText(`"${vehicle.understellsnummer}"`).count()).resolves.toBeGreaterThan(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'explorer.png'), fullPage: true });
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
    // The upstream really was asked: the answer came through the subgraph, not from a cache in the page.
    expect((await stack.stats()).routes['bulk/kjennemerke'].requests).toBeGreaterThanOrEqual(1);
  }, 120000);

  it('/explorer/ is served with a same-origin content security policy', async () => {
    const res = await fetch(new URL('/explorer/', stack.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await res.text()).toContain('<script src="main.js"></script>');
  });
});
