// What every part of the dashboard writes with: elements, table cells, the notice banner, busy
// buttons, and times and sizes in the page's one format.

export const $ = (id) => document.getElementById(id);

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

export function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  return td;
}

// The rows of a table's `body`, one per item (with its id, status and database as data-*),
// filled by `fill(row, item)`; or a line that says `empty`. On a narrow screen each row of a
// .stacked table is a card, its cells labelled with their column's heading (style.css shows
// data-label).
export function renderRows(body, items, empty, fill) {
  const headings = body.closest('table').tHead.rows[0].cells;
  body.replaceChildren();
  if (items.length === 0) {
    cell(body.insertRow(), empty, 'muted').colSpan = headings.length;
    return;
  }
  for (const item of items) {
    const row = body.insertRow();
    row.dataset.id = item.id;
    row.dataset.status = item.status;
    row.dataset.database = item.database;
    fill(row, item);
    for (const td of row.cells) {
      td.dataset.label = headings[td.cellIndex].textContent;
    }
  }
}

export function actionButton(container, label, action, style, handler) {
  const button = element('button', `${style} ${action}`, label);
  button.type = 'button';
  button.dataset.action = action;
  button.addEventListener('click', handler);
  container.append(button);
  return button;
}

// A status as an icon that screen readers skip and the status in words ("in progress").
export function statusLabel(icon, status) {
  const label = element('span', 'status-label');
  const mark = element('span', '', icon || '');
  mark.setAttribute('aria-hidden', 'true');
  label.append(mark, ` ${status.replace('_', ' ')}`);
  return label;
}

export function showNotice(text, ok = false) {
  const notice = $('notice');
  notice.textContent = text;
  notice.classList.toggle('ok', ok);
  notice.hidden = false;
}

// Runs `action` with `button` disabled and saying what is happening; errors go to the banner.
export async function busy(button, label, action) {
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

function parts(time) {
  return Object.fromEntries(timeParts.formatToParts(new Date(time)).map(({ type, value }) => [type, value]));
}

export function formatTime(iso) {
  if (!iso) {
    return '–';
  }
  const part = parts(iso);
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}\u00a0${part.timeZoneName}`;
}

// "2026-12-03", the day in the browser's time zone (zoneName() names it).
export function formatDate(time) {
  const part = parts(time);
  return `${part.year}-${part.month}-${part.day}`;
}

export function zoneName(time = Date.now()) {
  return parts(time).timeZoneName;
}

export function timeElement(iso) {
  const time = element('time', '', formatTime(iso));
  time.dateTime = iso;
  return time;
}

// The page counts in PostgreSQL's units: each size the server sends is pg_size_pretty()'s, and
// the chart's axis, which has sizes of its own, writes them by the same rule (bytes below 10 kB,
// then kB, MB, GB, TB, PB in multiples of 1024 below 20480 of a unit, halves rounded away from
// zero), so that "12 kB" on the axis and in a row mean the same.
export function prettySize(bytes) {
  if (Math.abs(bytes) < 10 * 1024) {
    return `${Math.trunc(bytes)} bytes`;
  }
  const halfRounded = (value) => Math.trunc((value + Math.sign(value)) / 2);
  let halves = Math.trunc(bytes / 512);
  for (const unit of ['kB', 'MB', 'GB', 'TB']) {
    if (Math.abs(halves) < 20 * 1024 - 1) {
      return `${halfRounded(halves)} ${unit}`;
    }
    halves = Math.trunc(halves / 1024);
  }
  return `${halfRounded(halves)} PB`;
}

// A duration as lokbackup_status writes it (lokbackup_internal.pretty_duration()): "12.0 s",
// "3 min 05 s", "1 h 05 min".
export function prettyDuration(seconds) {
  const two = (value) => String(Math.floor(value)).padStart(2, '0');
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${two(seconds % 60)} s`;
  }
  return `${Math.floor(seconds / 3600)} h ${two((seconds % 3600) / 60)} min`;
}
