// End-to-end test of the dashboard's health view in headless Chromium: a card per database (and
// the roles) coloured by its verdict, which is written out too, with the reason, the newest
// backup's age and the last drill's restore time; the chart of size and duration over 90 days,
// one series per database; restore drills asked for with a row's Drill and shown in the drills
// table and in the backup's row. On a desktop (1366x768) and a phone (390x844), by keyboard too.
// Prints TAP-style lines (browser.mjs) for test/tap/t/063_dashboard_health_e2e.pl, and at the end
// a JSON line with the drills it asked for.
// The catalog: two runs of app and shop (completed) and broken (failed: pg_hba.conf).
//   BASE_URL=... LOGIN_USER=... LOGIN_PASSWORD=... ARTIFACTS=dir SOUND_BACKUP=id
//   CORRUPT_BACKUP=id node health.mjs
import { mkdirSync } from 'node:fs';
import {
  browserZone, check, exitStatus, expectedTime, fitsWidth, launchBrowser, prettySize, screenshot,
  phonePage, tabTo, timeout, until, zoneName,
} from './browser.mjs';

const {
  BASE_URL: base, LOGIN_USER: user, LOGIN_PASSWORD: password, ARTIFACTS: artifacts,
  SOUND_BACKUP: soundBackup, CORRUPT_BACKUP: corruptBackup,
} = process.env;

// style.css's border of each verdict's card.
const verdictColours = { green: 'rgb(30, 123, 52)', amber: 'rgb(176, 120, 0)', red: 'rgb(179, 38, 30)' };

async function health(page) {
  return page.evaluate(async () => (await (await fetch('/api/admin/health')).json()).databases);
}

// The reason says how long ago the newest backup was: the card and the API asked a moment apart.
function sameWords(shown, expected) {
  const words = (text) => String(text).replace(/\d+/g, 'N');
  return words(shown) === words(expected);
}

async function cards(page) {
  return page.$$eval('#health-cards li', (items) => items.map((item) => ({
    database: item.dataset.database,
    verdict: item.dataset.verdict,
    words: item.querySelector('.verdict').textContent,
    reason: item.querySelector('.reason').textContent,
    border: getComputedStyle(item).borderLeftColor,
    facts: item.querySelector('dl').textContent,
    time: item.querySelector('time') && [item.querySelector('time').dateTime, item.querySelector('time').textContent],
    box: item.getBoundingClientRect().toJSON(),
  })));
}

// The cards say what lokbackup_health() says, each in its verdict's colour and in words.
async function checkCards(page, name) {
  const expected = await health(page);
  const shown = await cards(page);
  check(JSON.stringify(shown.map((c) => c.database)) === JSON.stringify(expected.map((d) => d.database)),
    `${name}: a health card per database and the roles, in lokbackup_health()'s order`,
    shown.map((c) => c.database).join(','));
  const width = await page.evaluate(() => window.innerWidth);
  for (const database of expected) {
    const card = shown.find((c) => c.database === database.database) || {};
    const word = database.verdict[0].toUpperCase() + database.verdict.slice(1);
    check(card.verdict === database.verdict && card.words.includes(word) && sameWords(card.reason, database.reason),
      `${name}: the card of ${database.database} says its verdict (${database.verdict}) in words, with the reason`,
      JSON.stringify(card));
    check(card.border === verdictColours[database.verdict],
      `${name}: ... and is coloured ${database.verdict}`, card.border);
    check(card.box && card.box.width > 0 && card.box.left >= 0 && card.box.right <= width,
      `${name}: ... visible, inside the screen's width`, JSON.stringify(card.box));
  }
  return shown;
}

// The chart: one series per database with completed backups, a point per backup, an accessible
// name and description, axes in the page's units.
async function checkChart(page, name, databases) {
  for (const id of ['history-size', 'history-duration']) {
    const chart = await page.$eval(`#${id}`, (figure) => {
      const svg = figure.querySelector('svg');
      const labelled = (svg?.getAttribute('aria-labelledby') || '').split(' ')
        .map((part) => document.getElementById(part)?.textContent || '');
      return {
        role: svg?.getAttribute('role'),
        labelled,
        width: svg?.getBoundingClientRect().right,
        series: [...figure.querySelectorAll('.series')].map((g) => [g.dataset.database, g.querySelectorAll('title').length]),
        axis: [...figure.querySelectorAll('.axes text')].map((text) => text.textContent),
      };
    });
    check(JSON.stringify(chart.series.map(([database]) => database)) === JSON.stringify(databases)
      && chart.series.every(([, points]) => points === 2),
    `${name}: the ${id} chart has one series per database, a point per backup`, JSON.stringify(chart.series));
    check(chart.role === 'img' && /last 90 days/.test(chart.labelled[0])
      && databases.every((database) => chart.labelled[1].includes(`${database}: 2 backups`)),
    `${name}: ... with a title and a description in words`, chart.labelled.join(' / '));
    check(chart.width <= await page.evaluate(() => window.innerWidth), `${name}: ... inside the screen's width`);
    const units = id === 'history-size' ? prettySize : /^(\d+\.\d s|\d+ min \d\d s|\d+ h \d\d min)$/;
    check(chart.axis.slice(0, 3).every((text) => units.test(text))
      && chart.axis.slice(3, 6).every((text) => /^\d{4}-\d\d-\d\d$/.test(text))
      && chart.axis[6] === `days in ${zoneName}`,
    `${name}: ... its axes in the page's units, its days in the browser's time zone, named`, chart.axis.join(', '));
  }
}

async function drillFromRow(page, backup) {
  await page.locator(`#backup-rows tr[data-id="${backup}"] button.drill`).click({ timeout: 5000 });
  check(await until(page, (id) => new RegExp(`Restore drill \\d+ of backup ${id} .*queued`)
    .test(document.getElementById('notice').textContent), backup), `Drill on backup ${backup}'s row queues a drill`);
  return Number((await page.textContent('#notice')).match(/Restore drill (\d+)/)[1]);
}

// A drill and its backup's row both show its status.
async function drillShown(page, drill, backup, status, deadline = timeout) {
  return until(page, ([id, row, wanted]) => {
    const line = document.querySelector(`#drill-rows tr[data-id="${id}"]`);
    const backupRow = document.querySelector(`#backup-rows tr[data-id="${row}"]`);
    return line?.dataset.status === wanted && line.dataset.backup === String(row)
      && backupRow?.dataset.drill === wanted
      && backupRow.querySelector('.drill').textContent.toLowerCase().includes(wanted.replace('_', ' '));
  }, [drill, backup, status], deadline);
}

async function checkLayout(page, name) {
  await page.goto(`${base}/`);
  await page.waitForSelector('#health-cards li');
  await page.waitForSelector('#history-size svg');
  check(await fitsWidth(page), `${name}: the page is not wider than the screen`);
  await checkCards(page, name);
  await checkChart(page, name, ['app', 'shop']);
  const top = await page.$eval('#health', (section) => section.getBoundingClientRect().top);
  check(top < await page.evaluate(() => window.innerHeight / 2), `${name}: the page opens on the health cards`, `${top}`);
  await screenshot(page, `health-${name}`);
  check(await tabTo(page, 'drill'), `${name}: Tab reaches a row's Drill`);
}

mkdirSync(artifacts, { recursive: true });
const browser = await launchBrowser();
const drills = {};
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...browserZone });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  await page.goto(`${base}/login`);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('#login-button');
  await page.waitForURL(`${base}/`);
  await page.waitForSelector('#health-cards li');

  // --- the cards before any drill ---
  const shown = await checkCards(page, 'desktop');
  const verdicts = Object.fromEntries(shown.map((c) => [c.database, c.verdict]));
  check(verdicts.app === 'green' && verdicts.shop === 'green' && verdicts['(roles)'] === 'green',
    'app, shop and the roles, backed up, are green', JSON.stringify(verdicts));
  check(verdicts.broken === 'amber' && /no completed backup; the last backup failed/
    .test(shown.find((c) => c.database === 'broken').reason),
  'broken, whose backups failed, is amber and says why', JSON.stringify(shown.find((c) => c.database === 'broken')));
  const app = shown.find((c) => c.database === 'app');
  check(/^Newest backup\d+ (seconds?|minutes?) ago \(/.test(app.facts) && app.time[1] === expectedTime(app.time[0]),
    "app's card says how old its newest backup is, its time in the browser's zone", app.facts);
  check(/Restore timeno restore drill yet/.test(app.facts), '... and that no drill has measured its restore yet', app.facts);

  // --- drills from the backups' rows ---
  drills.sound = await drillFromRow(page, soundBackup);
  drills.corrupt = await drillFromRow(page, corruptBackup);
  // The worker runs them one after the other; the page follows them until neither is pending.
  check(await drillShown(page, drills.sound, soundBackup, 'passed', 2 * timeout),
    'the drill of the sound backup is shown passed, in the drills table and in its backup\'s row');
  check(await drillShown(page, drills.corrupt, corruptBackup, 'failed', 2 * timeout),
    '... the drill of the corrupted backup failed');
  const drilled = await cards(page);
  const appCard = drilled.find((c) => c.database === 'app');
  const shopCard = drilled.find((c) => c.database === 'shop');
  check(/Restore timerestores in \d+\.\d s \(drill /.test(appCard.facts),
    "app's card says how long its drill took to restore it: the recovery time", appCard.facts);
  check(shopCard.verdict === 'red' && /^the last restore drill failed: restore: /.test(shopCard.reason)
    && shopCard.border === verdictColours.red,
  "shop's card turns red and says that its drill failed, and why", JSON.stringify(shopCard));
  await screenshot(page, 'health-drills');

  // --- the layout: desktop, then a phone ---
  await checkLayout(page, 'desktop-1366x768');
  const phone = await phonePage(browser, context);
  await checkLayout(phone, 'phone-390x844');
  await phone.context().close();
} catch (error) {
  check(false, 'the walk through the health view ran to its end', error.message.split('\n')[0]);
} finally {
  await browser.close();
}
console.log(JSON.stringify({ drills }));
process.exit(exitStatus());
