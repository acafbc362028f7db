// The lokbackup dashboard: statistics, the backups with filters and pages (the roles backups
// only when asked for), and the actions run, download, restore and delete, all through lokbackup
// serve's JSON API as the logged-in role.
'use strict';

const state = {
  page: 1,
  showRoles: false,
  // ?limit=N in the page's address: backups per page.
  limit: Number(new URLSearchParams(window.location.search).get('limit')) || 20,
  csrfToken: null,
  listing: null,
  refreshTimer: null,
};

const $ = (id) => document.getElementById(id);

// An API error, with the server's words: what is wrong, and what to do.
class ApiError extends Error {
  constructor(status, body) {
    super([body.error || `HTTP ${status}`, body.detail, body.hint].filter(Boolean).join(' — '));
    this.status = status;
  }
}

// `poll`: a timed refresh, which does not keep an unattended page's session alive.
async function api(method, path, body, poll = false) {
  const options = { method, headers: {} };
  if (poll) {
    options.headers['X-Lokbackup-Poll'] = '1';
  }
  if (method !== 'GET') {
    options.headers['X-CSRF-Token'] = state.csrfToken;
  }
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const answer = await response.json().catch(() => ({}));
  if (response.status === 401) {
    window.location.assign('/login');
  }
  if (!response.ok) {
    throw new ApiError(response.status, answer);
  }
  return answer;
}

function showNotice(text, ok = false) {
  const notice = $('notice');
  notice.textContent = text;
  notice.classList.toggle('ok', ok);
  notice.hidden = false;
}

// Runs `action` with `button` disabled and saying what is happening; errors go to the banner.
async function busy(button, label, action) {
  const original = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    await action();
  } catch (error) {
    showNotice(error.message);
  } finally {
    button.disabled = false;
    button.textContent = original;
  }
}

// Every time on the page is in the browser's time zone, named: "2026-12-03 15:05 GMT+1". The
// date is written year first whatever the locale, so that it cannot be read as another day; the
// zone stays with its time (a no-break space) when a narrow column wraps the date.
const timeParts = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
  numberingSystem: 'latn',
});

function formatTime(iso) {
  if (!iso) {
    return '–';
  }
  const part = Object.fromEntries(timeParts.formatToParts(new Date(iso))
    .map(({ type, value }) => [type, value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}\u00a0${part.timeZoneName}`;
}

function timeElement(iso) {
  const time = document.createElement('time');
  time.dateTime = iso;
  time.textContent = formatTime(iso);
  return time;
}

const statusIcons = {
  completed: '✔', failed: '✖', in_progress: '⟳', pending: '…', deleted: '⊘',
};

// On a narrow screen each row of the backups is a card, its cells labelled with their column's
// heading (style.css shows data-label).
const backupColumns = [...document.querySelectorAll('#backups thead th')].map((th) => th.textContent);

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  return td;
}

function actionButton(container, label, action, style, handler) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.className = `${style} ${action}`;
  button.dataset.action = action;
  button.addEventListener('click', handler);
  container.append(button);
}

// The reason of a failed backup is text in its row, for everyone: not a tooltip, which neither a
// keyboard nor a touch screen can open.
function statusCell(row, backup) {
  const status = cell(row, '', `status status-${backup.status}`);
  const label = document.createElement('span');
  label.className = 'status-label';
  const icon = document.createElement('span');
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = statusIcons[backup.status] || '';
  label.append(icon, ` ${backup.status.replace('_', ' ')}`);
  status.append(label);
  if (backup.error) {
    const reason = document.createElement('span');
    reason.className = 'reason';
    reason.textContent = `Reason: ${backup.error}`;
    status.append(reason);
  }
}

// The page re-renders the rows at each refresh: the row action that had the focus keeps it.
function focusedAction() {
  const focused = document.activeElement;
  const row = focused?.closest('#backup-rows tr');
  return row && focused.dataset.action
    ? `tr[data-id="${row.dataset.id}"] [data-action="${focused.dataset.action}"]` : null;
}

function renderBackups(backups) {
  const body = $('backup-rows');
  const focus = focusedAction();
  body.replaceChildren();
  if (backups.length === 0) {
    cell(body.insertRow(), 'No backups match.', 'muted').colSpan = 9;
    return;
  }
  for (const backup of backups) {
    const row = body.insertRow();
    row.dataset.id = backup.id;
    row.dataset.status = backup.status;
    row.dataset.database = backup.database;
    cell(row, backup.fileName || `backup ${backup.id}`, 'file');
    cell(row, backup.database);
    cell(row, backup.type);
    statusCell(row, backup);
    // No size is computed on the page: each is the catalog's pg_size_pretty() (sizePretty here,
    // totalSizePretty, rawPretty, storedPretty), so the whole page counts in PostgreSQL's units,
    // bytes, kB, MB, GB and TB, multiples of 1024.
    cell(row, backup.sizePretty || '–', 'number size');
    cell(row, '').append(timeElement(backup.createdAt));
    cell(row, backup.duration || '–', 'number');
    const checksum = cell(row, '');
    if (backup.checksumShort) {
      const code = document.createElement('code');
      code.textContent = backup.checksumShort;
      code.title = `SHA-256 ${backup.checksum}`;
      checksum.append(code);
    }
    const actions = document.createElement('div');
    actions.className = 'actions';
    if (backup.status === 'completed') {
      // serve streams the object from any storage, as the logged-in role (audited).
      const download = document.createElement('a');
      download.className = 'button secondary download';
      download.dataset.action = 'download';
      download.href = `/api/admin/backups/${backup.id}/object`;
      download.textContent = 'Download';
      actions.append(download);
      if (backup.database !== '(roles)') {
        actionButton(actions, 'Restore', 'restore', 'secondary', () => openRestore(backup));
      }
    }
    if (backup.status === 'completed' || backup.status === 'failed') {
      actionButton(actions, 'Delete', 'delete', 'danger', () => openDelete(backup));
    }
    cell(row, '').append(actions);
    for (const td of row.cells) {
      td.dataset.label = backupColumns[td.cellIndex];
    }
  }
  if (focus) {
    body.querySelector(focus)?.focus();
  }
}

function renderStats(stats) {
  $('stat-size').textContent = stats.totalSizePretty;
  $('stat-completed').textContent = stats.completed;
  $('stat-failed').textContent = stats.failed;
  $('stat-last').replaceChildren(stats.lastBackup ? timeElement(stats.lastBackup) : '–');
  $('stat-next').textContent = stats.nextScheduledRun
    ? `next scheduled: ${formatTime(stats.nextScheduledRun)}` : 'no schedule';
}

// Per database, how long ago its newest backup completed; a late one (no backup since the
// schedule's last run that should have finished) stands out, its detail in the tooltip.
function renderHealth(health) {
  $('health-rows').replaceChildren(...health.map((database) => {
    const row = document.createElement('tr');
    row.dataset.status = database.status;
    row.className = `health-${database.status}`;
    cell(row, database.database);
    cell(row, database.agePretty || 'never').title = database.lastCompletedAt
      ? formatTime(database.lastCompletedAt) : '';
    cell(row, database.status).title = database.detail;
    return row;
  }));
}

function renderRunning(running) {
  $('running').hidden = running.length === 0;
  $('running-list').replaceChildren(...running.map((backup) => {
    const item = document.createElement('li');
    const elapsed = Math.round((Date.now() - new Date(backup.startedAt)) / 1000);
    item.textContent = `Backup ${backup.backupId} (${backup.database}): ${backup.rawPretty} dumped, `
      + `${backup.storedPretty} stored, ${elapsed} s`;
    return item;
  }));
  $('run-backup').disabled = running.length > 0;
}

function renderPager(pagination) {
  $('page-info').textContent = `Page ${pagination.page} of ${pagination.totalPages} `
    + `(${pagination.total} backups)`;
  $('page-previous').disabled = pagination.page <= 1;
  $('page-next').disabled = pagination.page >= pagination.totalPages;
}

async function refreshRestores(poll) {
  const { restores } = await api('GET', '/api/admin/restores', undefined, poll);
  $('restores').hidden = restores.length === 0;
  $('restore-list').replaceChildren(...restores.map((restore) => {
    const item = document.createElement('li');
    item.dataset.status = restore.status;
    const text = document.createElement('span');
    text.textContent = `Restore ${restore.id}: backup ${restore.backupId} into `
      + `"${restore.target}": ${restore.status}`
      + (restore.error ? ` — ${restore.error}` : '')
      + (restore.previousDatabase ? ` (the replaced database is kept as "${restore.previousDatabase}")` : '')
      + (restore.warnings || []).map((warning) => ` — warning: ${warning}`).join('');
    text.className = `status-${restore.status === 'running' ? 'in_progress' : restore.status}`;
    const bar = document.createElement('progress');
    bar.max = restore.bytesTotal || 1;
    bar.value = restore.bytesRead;
    item.append(text, bar);
    return item;
  }));
  return restores.some((restore) => restore.status === 'running');
}

// Loads the page of backups; polls faster while a backup or a restore runs.
async function refresh(poll = false) {
  clearTimeout(state.refreshTimer);
  let active = false;
  try {
    const query = new URLSearchParams({ page: state.page, limit: state.limit, roles: state.showRoles });
    for (const [name, id] of [['type', 'filter-type'], ['status', 'filter-status']]) {
      if ($(id).value) {
        query.set(name, $(id).value);
      }
    }
    const listing = await api('GET', `/api/admin/backups?${query}`, undefined, poll);
    state.listing = listing;
    renderStats(listing.stats);
    renderHealth(listing.health);
    renderRunning(listing.running);
    renderBackups(listing.backups);
    renderPager(listing.pagination);
    active = listing.running.length > 0 || listing.stats.inProgress > 0;
    active = (await refreshRestores(poll)) || active;
  } catch (error) {
    showNotice(error.message);
  }
  state.refreshTimer = setTimeout(() => refresh(true), active ? 1000 : 10000);
}

async function runBackup(button) {
  await busy(button, 'Starting…', async () => {
    const answer = await api('POST', '/api/admin/backups', {});
    showNotice(`Backup started (${answer.ids.length} objects: ids ${answer.ids.join(', ')}).`, true);
  });
  // After busy() has given the button back: the listing then disables it while a backup runs.
  await refresh();
}

function openDelete(backup) {
  state.deleting = backup;
  $('delete-text').textContent = `Delete backup ${backup.id} (${backup.fileName}, `
    + `${backup.database}, ${formatTime(backup.createdAt)})? Its object is removed from storage.`;
  $('delete-error').hidden = true;
  $('delete-dialog').showModal();
}

$('delete-dialog').addEventListener('submit', async (event) => {
  if (event.submitter.value !== 'confirm') {
    return;
  }
  event.preventDefault();
  await busy($('delete-confirm'), 'Deleting…', async () => {
    try {
      await api('DELETE', `/api/admin/backups/${state.deleting.id}`);
    } catch (error) {
      $('delete-error').textContent = error.message;
      $('delete-error').hidden = false;
      return;
    }
    $('delete-dialog').close();
    showNotice(`Backup ${state.deleting.id} deleted.`, true);
    await refresh();
  });
});

function showRestoreStep(step) {
  $('restore-step-1').hidden = step !== 1;
  $('restore-next').hidden = step !== 1;
  $('restore-step-2').hidden = step !== 2;
  $('restore-confirm-button').hidden = step !== 2;
}

function openRestore(backup) {
  state.restoring = backup;
  $('restore-text').textContent = `Backup ${backup.id} of database "${backup.database}", `
    + `${formatTime(backup.createdAt)}, ${backup.sizePretty}.`;
  $('restore-target').value = `${backup.database}_restored_${backup.id}`;
  $('restore-drop-previous').checked = false;
  $('restore-confirm').value = '';
  $('restore-password').value = '';
  $('restore-identity').value = '';
  $('restore-identity-block').hidden = !backup.encryptedTo;
  $('restore-recipients').textContent = (backup.encryptedTo || []).join(', ');
  $('restore-error').hidden = true;
  showRestoreStep(1);
  $('restore-dialog').showModal();
}

$('restore-form').addEventListener('submit', async (event) => {
  const choice = event.submitter.value;
  if (choice === 'cancel') {
    return;
  }
  event.preventDefault();
  const error = $('restore-error');
  error.hidden = true;
  if (choice === 'next') {
    $('restore-target-shown').textContent = $('restore-target').value;
    showRestoreStep(2);
    $('restore-confirm').focus();
    return;
  }
  const target = $('restore-target').value;
  if ($('restore-confirm').value !== target) {
    error.textContent = `Type "${target}" again to confirm.`;
    error.hidden = false;
    return;
  }
  await busy($('restore-confirm-button'), 'Starting…', async () => {
    try {
      const answer = await api('POST', `/api/admin/backups/${state.restoring.id}/restore`, {
        target,
        confirmTarget: $('restore-confirm').value,
        password: $('restore-password').value,
        dropPrevious: $('restore-drop-previous').checked,
        ...(state.restoring.encryptedTo ? { identity: $('restore-identity').value } : {}),
      });
      $('restore-dialog').close();
      showNotice(`Restore ${answer.restore.id} into "${target}" started.`, true);
      await refresh();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    } finally {
      $('restore-password').value = '';
      $('restore-identity').value = '';
    }
  });
});

async function start() {
  const session = await api('GET', '/api/auth/session');
  state.csrfToken = session.csrfToken;
  $('who').textContent = session.user;
  $('run-backup').addEventListener('click', (event) => runBackup(event.currentTarget));
  $('refresh').addEventListener('click', () => refresh());
  for (const id of ['filter-type', 'filter-status', 'show-roles']) {
    $(id).addEventListener('change', () => {
      state.page = 1;
      state.showRoles = $('show-roles').checked;
      refresh();
    });
  }
  $('page-previous').addEventListener('click', () => {
    state.page -= 1;
    refresh();
  });
  $('page-next').addEventListener('click', () => {
    state.page += 1;
    refresh();
  });
  $('logout').addEventListener('click', async () => {
    await api('POST', '/api/auth/logout', {}).catch(() => {});
    window.location.assign('/login');
  });
  await refresh();
}

start().catch((error) => showNotice(error.message));
