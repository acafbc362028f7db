// What the dashboard's browser tests share: TAP-style checks ("ok - ..." or "not ok - ...", which
// their TAP drivers turn into assertions), polling with the test's deadline, screenshots, the
// browser's fixed time zone and the page's units, and Debian's headless Chromium.
import { chromium } from 'playwright-core';

export const timeout = 60_000;
let failures = 0;

export function check(condition, what, detail = '') {
  console.log(`${condition ? 'ok' : 'not ok'} - ${what}${condition || !detail ? '' : ` # ${detail}`}`);
  if (!condition) {
    failures += 1;
  }
}

// The exit status: 0 when every check passed.
export function exitStatus() {
  return failures === 0 ? 0 : 1;
}

// The whole page, or with `fullPage` false what the screen shows (an open dialog, where it is).
export async function screenshot(page, name, fullPage = true) {
  await page.screenshot({ path: `${process.env.ARTIFACTS}/${name}.png`, fullPage });
}

// Waits until `predicate` holds in the page (polling, with the test's deadline).
export async function until(page, predicate, argument, deadline = timeout) {
  try {
    await page.waitForFunction(predicate, argument, { timeout: deadline, polling: 100 });
    return true;
  } catch {
    return false;
  }
}

// The browser's time zone is fixed, so that the page's times can be checked: Tokyo has no
// daylight saving time, and en-US names its zone "GMT+9".
export const browserZone = { timezoneId: 'Asia/Tokyo', locale: 'en-US' };
export const zoneName = 'GMT+9';
const zoneOffsetMs = 9 * 3600 * 1000;

// "2026-12-03 23:05 GMT+9" for an ISO 8601 time: what the page should show for it (with a
// no-break space before the zone).
export function expectedTime(iso) {
  return `${new Date(Date.parse(iso) + zoneOffsetMs).toISOString().slice(0, 16).replace('T', ' ')}\u00a0${zoneName}`;
}

// pg_size_pretty()'s units: the one unit system of the page.
export const prettySize = /^\d+ (bytes|kB|MB|GB|TB|PB)$/;

export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Nothing of the page may cross the screen's width (a phone scrolls down, never sideways).
export async function fitsWidth(page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  return scroll <= inner;
}

// Presses Tab from the top of the page until the focus is on an element whose data-action is
// `action` (a row's Delete, Drill): whether the keyboard alone got there in fewer than 40 presses.
export async function tabTo(page, action) {
  await page.evaluate(() => document.activeElement?.blur());
  for (let presses = 0; presses < 40; presses += 1) {
    if (await page.evaluate((wanted) => document.activeElement?.dataset.action === wanted, action)) {
      return true;
    }
    await page.keyboard.press('Tab');
  }
  return false;
}

// A page on a phone (390x844, touch) in the session of `context`: page.context().close() ends it.
export async function phonePage(browser, context) {
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, ...browserZone,
    storageState: await context.storageState(),
  });
  const page = await phone.newPage();
  page.setDefaultTimeout(timeout);
  return page;
}
