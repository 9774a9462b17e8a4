// node tests/report/render_check.mjs SIGNOFF.html SCREENSHOT.png
// Opens the sign-off page in Debian's headless chromium (driven by playwright-core, no browser
// download), checks that the verdict table and the headline are visible, and saves a screenshot.
// Prints {"rows": N, "headline": "..."} on success; exits 1 with the reason otherwise.
import path from 'node:path';
import { chromium } from 'playwright-core';

const [page_file, shot] = process.argv.slice(2);
if (!page_file || !shot) {
  console.error('usage: node render_check.mjs SIGNOFF.html SCREENSHOT.png');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // Without the background-networking flags chromium tries to reach the internet at every start.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync',
         '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The page is self-contained: any request that is not file: or data: is refused.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith('file:') || url.startsWith('data:') ? route.continue() : route.abort();
  });
  await page.goto('file://' + path.resolve(page_file));
  await page.locator('#verdicts').waitFor({ state: 'visible', timeout: 15000 });
  await page.locator('#headline').waitFor({ state: 'visible', timeout: 15000 });
  const rows = await page.locator('#verdicts tr').count();
  const headline = (await page.locator('#headline').innerText()).trim();
  await page.screenshot({ path: shot, fullPage: true });
  console.log(JSON.stringify({ rows, headline }));
} catch (error) {
  console.error(`render check failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
