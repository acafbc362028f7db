// End-to-end test of the dashboard in headless Chromium (Debian's, driven by playwright-core):
// log in, see a failed backup's reason, show and hide the roles backups, start a backup and watch
// it complete, filter, page, download through serve, delete and restore with their
// confirmations; then the layout on a desktop (1366x768) and on a phone (390x844), by mouse, touch
// and keyboard. Prints one TAP-style line per check ("ok - ..." or "not ok - ..."), which
// test/tap/t/031_dashboard_e2e.pl turns into assertions; screenshots go to $ARTIFACTS. The catalog
// holds a run whose backup of database "broken" failed (pg_hba.conf). The first backup of database
// app is held (a lock) until the browser has seen it running: the script prints "# release the
// lock" and waits for a line on stdin.
//   BASE_URL=http://127.0.0.1:8080 LOGIN_USER=... LOGIN_PASSWORD=... ARTIFACTS=dir node dashboard.mjs
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  browserZone, check, exitStatus, expectedTime, fitsWidth, launchBrowser, prettySize, screenshot,
  phonePage, tabTo, timeout, until, zoneName,
} from './browser.mjs';

const { BASE_URL: base, LOGIN_USER: user, LOGIN_PASSWORD: password, ARTIFACTS: artifacts } = process.env;

async function insideViewport(page, selector) {
  return page.evaluate((target) => {
    const box = document.querySelector(target).getBoundingClientRect();
    return box.width > 0 && box.left >= 0 && box.top >= 0
      && box.right <= window.innerWidth && box.bottom <= window.innerHeight;
  }, selector);
}

// The layout and the row actions at one screen size: nothing wider than the screen, a dialog
// inside it, actions and Cancel that take a real click (playwright's, which fails when something
// else would receive it), and the keyboard alone: Tab to a row action, Enter, Escape.
async function checkLayout(page, name) {
  check(await fitsWidth(page), `${name}: the page is not wider than the screen`);
  const table = await page.evaluate(() => {
    const box = document.querySelector('.table-scroll');
    return [box.scrollWidth, box.clientWidth];
  });
  check(table[0] <= table[1], `${name}: the backups fit the screen without scrolling sideways`, `${table}`);
  await screenshot(page, `${name}-backups`);
  const row = page.locator('#backup-rows tr[data-status="completed"]', { has: page.locator('button.restore') }).first();
  for (const [action, dialog] of [['delete', '#delete-dialog'], ['restore', '#restore-dialog']]) {
    await row.locator(`button.${action}`).click({ timeout: 5000 });
    await page.waitForSelector(`${dialog}[open]`);
    check(await insideViewport(page, dialog), `${name}: the ${action} dialog is inside the screen`);
    await screenshot(page, `${name}-${action}-dialog`, false);
    await page.locator(`${dialog} button[value="cancel"]`).click({ timeout: 5000 });
    check(await until(page, (target) => !document.querySelector(target).open, dialog),
      `${name}: Cancel closes the ${action} dialog`);
  }

  check(await tabTo(page, 'delete'), `${name}: Tab reaches a row's Delete`);
  await page.keyboard.press('Enter');
  check(await until(page, () => document.getElementById('delete-dialog').open),
    `${name}: Enter on it opens the delete dialog`);
  await page.keyboard.press('Escape');
  check(await until(page, () => !document.getElementById('delete-dialog').open),
    `${name}: Escape closes it`);
}

mkdirSync(artifacts, { recursive: true });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({
    acceptDownloads: true, viewport: { width: 1366, height: 768 }, ...browserZone,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const externalRequests = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(base)) {
      externalRequests.push(request.url());
    }
  });

  // --- login ---
  await page.goto(`${base}/?limit=2`);
  check(page.url() === `${base}/login`, 'without a login the dashboard sends the browser to /login', page.url());
  await page.fill('#username', user);
  await page.fill('#password', 'not the password');
  await page.click('#login-button');
  await page.waitForSelector('#login-error:not([hidden])');
  const loginError = await page.textContent('#login-error');
  check(/login failed/.test(loginError) && !/password authentication|\.s\.PGSQL|port \d/.test(loginError),
    'a wrong password shows that the login failed, and nothing of PostgreSQL\'s reason', loginError);
  await screenshot(page, '01-login-failed');
  await page.fill('#password', password);
  await page.click('#login-button');
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/?limit=2`);
  await page.waitForSelector('#backup-rows tr[data-id]');
  check((await page.textContent('#who')).startsWith(user), 'the dashboard shows who is logged in');
  await screenshot(page, '02-dashboard-failed-backup');

  // --- a failed backup's reason, as text in its row ---
  const failedRow = page.locator('#backup-rows tr[data-status="failed"]');
  const reason = failedRow.locator('.reason');
  check(await reason.isVisible() && /pg_hba\.conf rejects connection/.test(await reason.textContent()),
    "the failed backup's row shows its reason as text", await failedRow.textContent());
  check(await reason.evaluate((element) => !element.closest('[aria-hidden="true"]') && !element.title),
    '... which screen readers read, not a tooltip');

  // --- the roles backups: hidden unless asked for ---
  check(!(await page.isChecked('#show-roles'))
    && await page.locator('#backup-rows tr[data-database="(roles)"]').count() === 0,
  'the roles backups are hidden at first');
  // Newest first, two to a page: the first run's roles backup is on the second page.
  await page.check('#show-roles');
  check(await until(page, () => /\(3 backups\)/.test(document.getElementById('page-info').textContent)),
    'the toggle counts them', await page.textContent('#page-info'));
  await page.click('#page-next');
  check(await until(page, () => document.querySelector('#backup-rows tr[data-database="(roles)"]') !== null),
    'and shows them');
  await screenshot(page, '03-roles-shown');
  await page.uncheck('#show-roles');
  check(await until(page, () => document.querySelector('#backup-rows tr[data-id]')
    && document.querySelector('#backup-rows tr[data-database="(roles)"]') === null), 'and hides them again');

  // --- one time zone, named; one unit system ---
  const created = page.locator('#backup-rows tr[data-id] time').first();
  const createdText = await created.textContent();
  check(createdText === expectedTime(await created.getAttribute('datetime')),
    `a backup's time is shown in the browser's time zone, named (${zoneName})`, createdText);
  const lastBackup = await page.textContent('#stat-last');
  check(lastBackup.endsWith(`\u00a0${zoneName}`), 'the last backup\'s time names its zone too', lastBackup);
  const sizes = [await page.textContent('#stat-size'),
    ...(await page.$$eval('#backup-rows tr[data-status="completed"] td.size', (cells) => cells.map((c) => c.textContent)))];
  check(sizes.length > 1 && sizes.every((size) => prettySize.test(size)),
    "every size is in pg_size_pretty()'s units (kB, MB, GB: multiples of 1024)", sizes.join(', '));
  check(!/\d\s?[KMGT]iB\b/.test(await page.textContent('body')), 'no size on the page is in KiB, MiB or GiB');

  // --- start a backup and watch it complete ---
  const completedBefore = Number(await page.textContent('#stat-completed'));
  await page.click('#run-backup');
  await page.waitForSelector('#notice:not([hidden])');
  const started = await page.textContent('#notice');
  check(/Backup started/.test(started), 'running a backup says it started', started);
  check(await until(page, () => /Backup \d+ \(app\): .* dumped, .* stored/
    .test(document.getElementById('running-list').textContent)),
  'the running backup and its progress are shown, live');
  check(await page.isDisabled('#run-backup'), 'the run button is disabled while a backup runs');
  await screenshot(page, '04-backup-running');
  console.log('# release the lock');
  await createInterface({ input: process.stdin })[Symbol.asyncIterator]().next();
  check(await until(page, (before) => Number(document.getElementById('stat-completed').textContent) >= before + 2,
    completedBefore), 'the started backups complete, live, without a reload');
  await screenshot(page, '05-backup-completed');
  check(await until(page, () => / ago \(/.test(document
    .querySelector('#health-cards li[data-database="app"][data-status="ok"] dd')?.textContent)),
  "app's health card says how long ago its last backup completed");
  check(await until(page, () => !document.getElementById('run-backup').disabled),
    'the run button is enabled again when nothing runs');

  // A second run, so that there are pages to turn.
  await page.click('#run-backup');
  check(await until(page, (before) => Number(document.getElementById('stat-completed').textContent) >= before + 4,
    completedBefore), 'a second run completes');

  // --- pages ---
  const pageInfo = await page.textContent('#page-info');
  check(/^Page 1 of 2 /.test(pageInfo), 'four backups at two per page make two pages', pageInfo);
  const firstPage = await page.$$eval('#backup-rows tr[data-id]', (rows) => rows.map((r) => r.dataset.id));
  await page.click('#page-next');
  await until(page, () => /^Page 2 /.test(document.getElementById('page-info').textContent));
  const secondPage = await page.$$eval('#backup-rows tr[data-id]', (rows) => rows.map((r) => r.dataset.id));
  check(secondPage.length === 2 && !secondPage.some((id) => firstPage.includes(id)),
    'the second page shows other backups', `${firstPage} / ${secondPage}`);
  check(await page.isDisabled('#page-next'), 'there is no page after the last');
  await screenshot(page, '06-page-2');
  await page.click('#page-previous');
  await until(page, () => /^Page 1 /.test(document.getElementById('page-info').textContent));

  // --- filters ---
  await page.selectOption('#filter-status', 'failed');
  check(await until(page, () => {
    const rows = [...document.querySelectorAll('#backup-rows tr[data-id]')];
    return rows.length === 1 && rows[0].dataset.database === 'broken';
  }), 'filtering by status failed shows the failed backup alone');
  await page.selectOption('#filter-status', 'completed');
  await page.selectOption('#filter-type', 'manual');
  check(await until(page, () => {
    const rows = [...document.querySelectorAll('#backup-rows tr[data-id]')];
    return rows.length > 0 && rows.every((row) => row.dataset.status === 'completed'
      && row.cells[2].textContent === 'manual');
  }), 'filtering by type manual and status completed shows only those');
  await screenshot(page, '07-filtered');
  await page.selectOption('#filter-status', '');
  await page.selectOption('#filter-type', '');
  await until(page, () => document.querySelectorAll('#backup-rows tr[data-id]').length === 2);

  // --- download, streamed through serve ---
  const databaseRow = page.locator('#backup-rows tr[data-status="completed"]', { has: page.locator('button.restore') }).first();
  const backupId = await databaseRow.getAttribute('data-id');
  const checksum = (await databaseRow.locator('code').getAttribute('title')).replace('SHA-256 ', '');
  const fileName = await databaseRow.locator('td.file').textContent();
  const [download] = await Promise.all([page.waitForEvent('download'), databaseRow.locator('.download').click()]);
  check(download.suggestedFilename() === fileName, 'the download is saved under the backup\'s file name',
    download.suggestedFilename());
  const object = readFileSync(await download.path());
  check(createHash('sha256').update(object).digest('hex') === checksum,
    'the download through serve gives the object with the listed checksum');

  // --- restore, confirmed twice ---
  await databaseRow.locator('button.restore').click();
  await page.waitForSelector('#restore-dialog[open]');
  const target = await page.inputValue('#restore-target');
  check(target.endsWith(`_restored_${backupId}`), 'a restore goes to a new database by default', target);
  await page.click('#restore-next');
  await page.fill('#restore-confirm', 'some other name');
  await page.fill('#restore-password', password);
  await page.click('#restore-confirm-button');
  check(/again to confirm/.test(await page.textContent('#restore-error')),
    'the restore asks for the database name again');
  await page.fill('#restore-confirm', target);
  await page.fill('#restore-password', password);
  await screenshot(page, '08-restore-confirm');
  await page.click('#restore-confirm-button');
  await page.waitForSelector('#restore-dialog', { state: 'hidden' });
  check(await until(page, () => [...document.querySelectorAll('#restore-list li')]
    .some((item) => item.dataset.status === 'completed')), 'the restore completes and says so');
  await screenshot(page, '09-restore-completed');

  // --- restore over the source database, dropping the one it replaces ---
  const source = target.replace(/_restored_\d+$/, '');
  await databaseRow.locator('button.restore').click();
  await page.waitForSelector('#restore-dialog[open]');
  check(!(await page.isChecked('#restore-drop-previous')), 'the replaced database is kept unless asked');
  await page.fill('#restore-target', source);
  await page.check('#restore-drop-previous');
  await page.click('#restore-next');
  await page.fill('#restore-confirm', source);
  await page.fill('#restore-password', password);
  await page.click('#restore-confirm-button');
  await page.waitForSelector('#restore-dialog', { state: 'hidden' });
  check(await until(page, (name) => [...document.querySelectorAll('#restore-list li')]
    .some((item) => item.dataset.status === 'completed' && item.textContent.includes(`into "${name}"`)), source),
  'the restore over the existing database completes');

  // --- delete, with a confirmation ---
  await databaseRow.locator('button.delete').click();
  await page.waitForSelector('#delete-dialog[open]');
  await page.click('#delete-dialog button[value="cancel"]');
  check(await page.locator(`#backup-rows tr[data-id="${backupId}"]`).getAttribute('data-status') === 'completed',
    'cancelling the delete keeps the backup');
  await page.locator(`#backup-rows tr[data-id="${backupId}"] button.delete`).click();
  await page.waitForSelector('#delete-dialog[open]');
  await screenshot(page, '10-delete-confirm');
  await page.click('#delete-confirm');
  check(await until(page, (id) => document.querySelector(`#backup-rows tr[data-id="${id}"]`)?.dataset.status === 'deleted',
    backupId), 'the confirmed delete marks the backup deleted');
  await screenshot(page, '11-deleted');

  // --- the layout: desktop, then a phone (touch, its own viewport) in the same session ---
  await page.goto(`${base}/`);
  await page.waitForSelector('#backup-rows tr[data-id]');
  await checkLayout(page, '12-desktop-1366x768');
  const phone = await phonePage(browser, context);
  await phone.goto(`${base}/`);
  await phone.waitForSelector('#backup-rows tr[data-id]');
  await checkLayout(phone, '13-phone-390x844');
  await phone.context().close();

  // --- logout ---
  await page.click('#logout');
  await page.waitForURL(`${base}/login`);
  await page.goto(`${base}/`);
  check(page.url() === `${base}/login`, 'after logging out the dashboard needs a login again');

  check(externalRequests.length === 0, 'the page loads nothing from outside lokbackup serve',
    externalRequests.join(' '));
  console.log(JSON.stringify({ restoredInto: target, replaced: source, deletedBackup: backupId }));
} catch (error) {
  check(false, 'the walk through the dashboard ran to its end', error.message.split('\n')[0]);
} finally {
  await browser.close();
}
process.exit(exitStatus());
