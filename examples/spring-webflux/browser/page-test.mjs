// Opens the example page in a real headless Chromium and checks what a person would see:
// live news arriving over SSE, a message typed in the send box coming back (POST -> IPC hub -> SSE),
// and a request/response answer. Usage: node page-test.mjs <url> <screenshot.png> <chromium>
import { chromium } from 'playwright-core';

const [url, screenshot, executablePath] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // as root, and with no network but loopback: no sandbox, no background connections
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  page.on('console', m => console.log('page console:', m.text()));
  await page.goto(url);
  await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 15000 });
  await page.locator('#log li', { hasText: 'ticker: tick' }).first().waitFor({ timeout: 15000 });
  console.log('live messages arrive');

  const text = 'hello from chromium ' + Date.now();
  await page.fill('#text', text);
  await page.click('#send-button');
  await page.locator('#log li.mine', { hasText: text }).waitFor({ timeout: 15000 });
  console.log('send box round trip: ' + text);

  await page.fill('#ask-text', 'ping over ipc');
  await page.click('#ask-button');
  await page.locator('#answer', { hasText: 'PING OVER IPC' }).waitFor({ timeout: 15000 });
  console.log('request/response: PING OVER IPC');

  await page.screenshot({ path: screenshot });
  console.log('screenshot: ' + screenshot);
} finally {
  await browser.close();
}
