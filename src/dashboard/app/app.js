// The lokbackup dashboard: each database's health (health.js), its backups' size and duration
// over time (chart.js), the restore drills (drills.js), statistics, the backups with filters and
// pages (the roles backups only when asked for), and the actions run, download, restore, drill and
// delete, all through lokbackup serve's JSON API as the logged-in role.
import { api, setCsrfToken } from '/assets/api.js';
import { renderHistory } from '/assets/chart.js';
import {
  $, actionButton, busy, cell, element, formatTime, renderRows, showNotice, statusLabel,
  timeElement,
} from '/assets/dom.js';
import {
  drillActive, drillButton, drillSummary, renderDrills,
} from '/assets/drills.js';
import { renderHealth } from '/assets/health.js';

const state = {
  page: 1,
  showRoles: false,
  // ?limit=N in the page's address: backups per page.
  limit: Number(new URLSearchParams(window.location.search).get('limit')) || 20,
  listing: null,
  refreshTimer: null,
  // The backups finished when the chart was drawn: it is fetched again when that changes.
  historyOf: null,
};

const statusIcons = {
  completed: '✔', failed: '✖', in_progress: '⟳', pending: '…', deleted: '⊘',
};

// The reason of a failed backup is text in its row, for everyone: not a tooltip, which neither a
// keyboard nor a touch screen can open. So is its newest restore drill.
function statusCell(row, backup) {
  const status = cell(row, '', `status status-${backup.status}`);
  status.append(statusLabel(statusIcons[backup.status], backup.status));
  if (backup.error) {
    status.append(element('span', 'reason', `Reason: ${backup.error}`));
  }
  if (backup.drill) {
    row.dataset.drill = backup.drill.status;
    status.append(drillSummary(backup.drill));
  }
}

// Where a completed backup is stored: "2 of 2" copies stored, and a line of words for each copy
// that is not (in red when it failed, with its error) or that failed verification, as the
// status cell says a failed backup's reason; the title lists every copy for a pointer's sake.
function copiesCell(row, backup) {
  const copies = backup.copies || [];
  const td = cell(row, '', 'copies');
  if (backup.status !== 'completed' || copies.length === 0) {
    td.textContent = '–';
    return;
  }
  const stored = copies.filter((copy) => copy.status === 'completed').length;
  td.append(element('span', stored < copies.length ? 'copies-missing' : '', `${stored} of ${copies.length}`));
  const where = (copy) => `${copy.destination === 'primary' ? 'Primary' : 'Copy'} at ${copy.storage}`;
  td.title = copies.map((copy) => `${where(copy)}: ${copy.status.replace('_', ' ')}`
    + (copy.verification ? `, verification ${copy.verification}` : '')).join('\n');
  for (const copy of copies) {
    if (copy.status === 'completed' && copy.verification !== 'failed') {
      continue;
    }
    const state = copy.status === 'completed' ? 'failed verification' : copy.status.replace('_', ' ');
    const failed = copy.status === 'failed' || copy.verification === 'failed';
    td.append(element('span', `reason copy-${failed ? 'failed' : copy.status}`,
      `${where(copy)}: ${state}${copy.error ? ` (${copy.error})` : ''}`));
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
  renderRows(body, backups, 'No backups match.', (row, backup) => {
    cell(row, backup.fileName || `backup ${backup.id}`, 'file');
    cell(row, backup.database);
    cell(row, backup.type);
    statusCell(row, backup);
    // Each size is the catalog's pg_size_pretty() (sizePretty here, totalSizePretty, rawPretty,
    // storedPretty; the chart's axis follows its rule, dom.js), so the whole page counts in
    // PostgreSQL's units, bytes, kB, MB, GB and TB, multiples of 1024.
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
    copiesCell(row, backup);
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
        drillButton(actions, backup, refresh);
      }
    }
    if (backup.status === 'completed' || backup.status === 'failed') {
      actionButton(actions, 'Delete', 'delete', 'danger', () => openDelete(backup));
    }
    cell(row, '').append(actions);
  });
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
      + (restore.status === 'running' && restore.step ? ` (${restore.step})` : '')
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

// The chart's backups, fetched again only when backups have finished since it was drawn.
async function refreshHistory(stats, poll) {
  const finished = `${stats.completed}/${stats.failed}`;
  if (state.historyOf !== finished) {
    renderHistory(await api('GET', '/api/admin/history?days=90', undefined, poll));
    state.historyOf = finished;
  }
}

// Loads the page of backups; polls faster while a backup, a restore or a drill runs.
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
    renderHealth(listing.health, listing.wal);
    renderRunning(listing.running);
    renderBackups(listing.backups);
    renderPager(listing.pagination);
    active = listing.running.length > 0 || listing.stats.inProgress > 0;
    const { drills } = await api('GET', '/api/admin/drills?limit=10', undefined, poll);
    renderDrills(drills);
    active = drillActive(drills) || active;
    active = (await refreshRestores(poll)) || active;
    await refreshHistory(listing.stats, poll);
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
  setCsrfToken(session.csrfToken);
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
