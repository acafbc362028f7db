// End-to-end test of the dashboard in headless Chromium (Debian's, driven by playwright-core):
// log in, start a backup and watch it complete, filter, page, download through the link, delete
// and restore with their confirmations. Prints one TAP-style line per check ("ok - ..." or
// "not ok - ..."), which test/tap/t/031_dashboard_e2e.pl turns into assertions; screenshots go to
// $ARTIFACTS. The first backup of database app is held (a lock) until the browser has seen it
// running: the script prints "# release the lock" and waits for a line on stdin.
//   BASE_URL=http://127.0.0.1:8080 LOGIN_USER=... LOGIN_PASSWORD=... ARTIFACTS=dir node dashboard.mjs
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const { BASE_URL: base, LOGIN_USER: user, LOGIN_PASSWORD: password, ARTIFACTS: artifacts } = process.env;
const timeout = 60_000;
let failures = 0;

function check(condition, what, detail = '') {
  console.log(`${condition ? 'ok' : 'not ok'} - ${what}${condition || !detail ? '' : ` # ${detail}`}`);
  if (!condition) {
    failures += 1;
  }
}

async function screenshot(page, name) {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

// Waits until `predicate` holds in the page (polling, with the test's deadline).
async function until(page, predicate, argument) {
  try {
    await page.waitForFunction(predicate, argument, { timeout, polling: 100 });
    return true;
  } catch {
    return false;
  }
}

const rowStatuses = () => [...document.querySelectorAll('#backup-rows tr[data-id]')]
  .map((row) => row.dataset.status);

mkdirSync(artifacts, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ acceptDownloads: true });
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
  await page.waitForSelector('#backup-rows tr');
  check((await page.textContent('#who')).startsWith(user), 'the dashboard shows who is logged in');
  await screenshot(page, '02-dashboard-empty');

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
  await screenshot(page, '03-backup-running');
  console.log('# release the lock');
  await createInterface({ input: process.stdin })[Symbol.asyncIterator]().next();
  check(await until(page, (before) => Number(document.getElementById('stat-completed').textContent) >= before + 2,
    completedBefore), 'the started backups complete, live, without a reload');
  await screenshot(page, '04-backup-completed');
  check(await until(page, () => [...document.querySelectorAll('#health-rows tr[data-status="ok"]')]
    .some((row) => row.cells[0].textContent === 'app' && / ago$/.test(row.cells[1].textContent))),
  'the databases panel says how long ago the last backup of app completed');
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
  await screenshot(page, '05-page-2');
  await page.click('#page-previous');
  await until(page, () => /^Page 1 /.test(document.getElementById('page-info').textContent));

  // --- filters ---
  await page.selectOption('#filter-status', 'failed');
  check(await until(page, () => document.getElementById('backup-rows').textContent.includes('No backups match')),
    'filtering by status failed shows no backup');
  await page.selectOption('#filter-status', 'completed');
  await page.selectOption('#filter-type', 'manual');
  check(await until(page, () => {
    const rows = [...document.querySelectorAll('#backup-rows tr[data-id]')];
    return rows.length > 0 && rows.every((row) => row.dataset.status === 'completed'
      && row.cells[2].textContent === 'manual');
  }), 'filtering by type manual and status completed shows only those');
  await screenshot(page, '06-filtered');
  await page.selectOption('#filter-status', '');
  await page.selectOption('#filter-type', '');
  await until(page, () => document.querySelectorAll('#backup-rows tr[data-id]').length === 2);

  // --- download ---
  const databaseRow = page.locator('#backup-rows tr[data-status="completed"]', { has: page.locator('button.restore') }).first();
  const backupId = await databaseRow.getAttribute('data-id');
  const checksum = (await databaseRow.locator('code').getAttribute('title')).replace('SHA-256 ', '');
  await databaseRow.locator('button.download').click();
  await page.waitForSelector('#download-dialog[open]');
  const url = await page.getAttribute('#download-link', 'href');
  const object = Buffer.from(await (await fetch(url)).arrayBuffer());
  check(createHash('sha256').update(object).digest('hex') === checksum,
    'the download link gives the object with the listed checksum');
  await screenshot(page, '07-download-link');
  await page.click('#download-dialog button[value="close"]');

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
process.exit(failures === 0 ? 0 : 1);
