// Restore drills: the recent ones in a table of their own, each backup's newest in its row, and
// the row action that asks for one. The worker restores the backup into a scratch database and
// checks it; a drill that failed says which check failed, in words.
import {
  $, actionButton, busy, cell, element, renderRows, showNotice, statusLabel, timeElement,
} from '/assets/dom.js';
import { api } from '/assets/api.js';

const statusIcons = {
  passed: '✔', failed: '✖', in_progress: '⟳', pending: '…',
};

export function drillActive(drills) {
  return drills.some((drill) => drill.status === 'pending' || drill.status === 'in_progress');
}

// In a backup's status cell: its newest drill in a line of words.
export function drillSummary(drill) {
  const line = element('span', `drill drill-${drill.status}`);
  if (drill.status === 'passed') {
    line.textContent = `Drill passed: restores in ${drill.restorePretty}`;
  } else if (drill.status === 'failed') {
    line.textContent = `Drill failed: ${drill.failedCheck}`;
  } else {
    line.textContent = `Drill ${drill.status.replace('_', ' ')}`;
  }
  return line;
}

function timeCell(row, iso) {
  const td = cell(row, iso ? '' : '–');
  if (iso) {
    td.append(timeElement(iso));
  }
}

export function renderDrills(drills) {
  renderRows($('drill-rows'), drills, 'No restore drills yet: Drill on a completed backup starts one.', (row, drill) => {
    row.dataset.backup = drill.backupId;
    cell(row, String(drill.id), 'number');
    cell(row, String(drill.backupId), 'number');
    cell(row, drill.database);
    const status = cell(row, '', `status status-${drill.status}`);
    status.append(statusLabel(statusIcons[drill.status], drill.status));
    if (drill.failedCheck) {
      status.append(element('span', 'reason', `Failed check: ${drill.failedCheck}`));
    }
    timeCell(row, drill.startedAt);
    timeCell(row, drill.finishedAt);
    cell(row, drill.restorePretty || '–', 'number');
  });
}

// The Drill action of a completed database backup's row; `after` refreshes the page.
export function drillButton(actions, backup, after) {
  actionButton(actions, 'Drill', 'drill', 'secondary', async (event) => {
    await busy(event.currentTarget, 'Queuing…', async () => {
      const answer = await api('POST', `/api/admin/backups/${backup.id}/drill`, {});
      showNotice(`Restore drill ${answer.drill.id} of backup ${backup.id} (${backup.database}) `
        + 'queued: the worker restores it into a scratch database and checks it.', true);
    });
    await after();
  });
}
