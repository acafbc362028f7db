// The size and the duration of each database's backups over the last 90 days, as two line charts
// drawn here in plain SVG (no library: everything the page needs is compiled into lokbackup).
// Each is drawn at the width it has on the screen, so that its text stays readable on a phone
// rather than shrunk with it, and again when that width changes. A series is told apart by its
// marker's shape and its dashes as well as its colour; each chart has a title and a description
// that says what it shows in words, and each point a tooltip with its values.
import {
  $, element, formatDate, formatTime, prettyDuration, prettySize, zoneName,
} from '/assets/dom.js';

const svgSpace = 'http://www.w3.org/2000/svg';
// Told apart by people who cannot tell red from green (Okabe and Ito's palette).
const colours = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];
const dashes = ['', '6 3', '2 3', '8 3 2 3'];
const shapes = ['circle', 'square', 'triangle', 'diamond'];
const height = 190;
const margin = { top: 12, right: 16, bottom: 34, left: 72 };

const charts = [
  {
    id: 'history-size', title: 'Backup size', value: 'size', pretty: 'sizePretty', format: prettySize,
  },
  {
    id: 'history-duration', title: 'Backup duration', value: 'durationSeconds', pretty: 'duration',
    format: prettyDuration,
  },
];

let shown = null;
let drawnWidth = 0;

function svg(tag, attributes = {}, text = undefined) {
  const node = document.createElementNS(svgSpace, tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function marker(index, x, y) {
  const colour = colours[index % colours.length];
  const r = 4;
  switch (shapes[index % shapes.length]) {
    case 'square':
      return svg('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: colour });
    case 'triangle':
      return svg('polygon', { points: `${x},${y - r - 1} ${x + r + 1},${y + r} ${x - r - 1},${y + r}`, fill: colour });
    case 'diamond':
      return svg('polygon', { points: `${x},${y - r - 1} ${x + r + 1},${y} ${x},${y + r + 1} ${x - r - 1},${y}`, fill: colour });
    default:
      return svg('circle', { cx: x, cy: y, r, fill: colour });
  }
}

function describe(chart, history) {
  const days = Math.round((Date.parse(history.until) - Date.parse(history.since)) / 86400000);
  const each = history.databases.map(({ database, backups }) => {
    const newest = backups[backups.length - 1];
    return `${database}: ${backups.length} backups, the newest ${newest[chart.pretty]} `
      + `on ${formatTime(newest.finishedAt)}`;
  });
  return `${chart.title} of each database's backups over the last ${days} days, one line per `
    + `database: ${each.join('; ')}.`;
}

function draw(chart, history) {
  const figure = $(chart.id);
  const width = Math.max(figure.clientWidth, 240);
  const plot = { width: width - margin.left - margin.right, height: height - margin.top - margin.bottom };
  const since = Date.parse(history.since);
  const span = Math.max(Date.parse(history.until) - since, 1);
  const most = Math.max(...history.databases.flatMap(({ backups }) => backups.map((b) => b[chart.value])), 0);
  const top = most > 0 ? most * 1.1 : 1;
  const x = (time) => margin.left + ((Date.parse(time) - since) / span) * plot.width;
  const y = (value) => margin.top + plot.height - (value / top) * plot.height;

  const image = svg('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-labelledby': `${chart.id}-title ${chart.id}-desc`,
  });
  image.append(
    svg('title', { id: `${chart.id}-title` }, `${chart.title}, last 90 days`),
    svg('desc', { id: `${chart.id}-desc` }, describe(chart, history)),
  );
  const axes = svg('g', { class: 'axes', 'aria-hidden': 'true' });
  for (const value of [0, top / 2, top]) {
    axes.append(
      svg('line', { x1: margin.left, x2: margin.left + plot.width, y1: y(value), y2: y(value), class: 'grid' }),
      svg('text', { x: margin.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, chart.format(value)),
    );
  }
  const baseline = margin.top + plot.height + 18;
  const ticks = [[since, 'start'], [since + span / 2, 'middle'], [since + span, 'end']];
  for (const [time, anchor] of ticks) {
    axes.append(svg('text', { x: x(new Date(time).toISOString()), y: baseline, 'text-anchor': anchor }, formatDate(time)));
  }
  axes.append(svg('text', { x: margin.left + plot.width, y: baseline + 14, 'text-anchor': 'end', class: 'zone' },
    `days in ${zoneName()}`));
  image.append(axes);

  history.databases.forEach(({ database, backups }, index) => {
    const series = svg('g', { class: 'series' });
    series.dataset.database = database;
    series.append(svg('polyline', {
      points: backups.map((b) => `${x(b.finishedAt)},${y(b[chart.value])}`).join(' '),
      fill: 'none', stroke: colours[index % colours.length], 'stroke-width': 2,
      'stroke-dasharray': dashes[index % dashes.length],
    }));
    for (const backup of backups) {
      const point = marker(index, x(backup.finishedAt), y(backup[chart.value]));
      point.append(svg('title', {}, `${database}, backup ${backup.id}: ${backup.sizePretty}, `
        + `${backup.duration}, ${formatTime(backup.finishedAt)}`));
      series.append(point);
    }
    image.append(series);
  });
  figure.replaceChildren(image);
}

function legend(history) {
  return history.databases.map(({ database }, index) => {
    const item = element('li');
    item.dataset.database = database;
    const key = svg('svg', { width: 28, height: 12, 'aria-hidden': 'true' });
    key.append(
      svg('line', {
        x1: 0, x2: 28, y1: 6, y2: 6, stroke: colours[index % colours.length], 'stroke-width': 2,
        'stroke-dasharray': dashes[index % dashes.length],
      }),
      marker(index, 14, 6),
    );
    item.append(key, ` ${database}`);
    return item;
  });
}

export function renderHistory(history) {
  shown = history;
  drawnWidth = $('history').clientWidth;
  const empty = history.databases.length === 0;
  $('history-empty').hidden = !empty;
  $('history-charts').hidden = empty;
  if (empty) {
    return;
  }
  for (const chart of charts) {
    draw(chart, history);
  }
  $('history-legend').replaceChildren(...legend(history));
}

// Drawn again at the new width when the window (a phone turned, a desktop resized) changes it;
// not when only the height changed, which drawing itself does.
new ResizeObserver(() => {
  if (shown && $('history').clientWidth !== drawnWidth) {
    renderHistory(shown);
  }
}).observe($('history'));
