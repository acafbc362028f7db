// The page opens on health: a card per database (and the roles), coloured by its verdict in
// lokbackup_health(), green, amber or red, which is also written out (the colour alone says
// nothing to a screen reader or to someone who cannot tell red from green), with the reason in
// the server's words, how old the newest backup is, and how long its last restore drill took to
// restore it: the recovery time to expect. When the server archives its WAL through lokbackup, a
// card of its own says how old the last archived WAL file is: the recovery point of a
// point-in-time restore, which every database shares.
import { $, element, timeElement } from '/assets/dom.js';

const verdictWords = {
  green: { icon: '✔', text: 'Green: healthy' },
  amber: { icon: '!', text: 'Amber: needs a look' },
  red: { icon: '✖', text: 'Red: needs action' },
};

function fact(list, term, ...description) {
  const dd = element('dd');
  dd.append(...description);
  list.append(element('dt', '', term), dd);
}

function newestBackup(database) {
  if (!database.lastCompletedAt) {
    return ['none yet'];
  }
  return [`${database.agePretty} `, '(', timeElement(database.lastCompletedAt), ')'];
}

function restoreTime(database) {
  if (database.database === '(roles)') {
    return ['not drilled (the roles are restored with the lokbackup program)'];
  }
  if (database.restorePretty) {
    return [`restores in ${database.restorePretty} `, '(drill ', timeElement(database.lastDrillAt), ')'];
  }
  if (database.lastDrillStatus === 'failed') {
    return ['the last drill failed: no restore time'];
  }
  return ['no restore drill yet'];
}

function verdictBadge(name) {
  const verdict = verdictWords[name] || { icon: '?', text: name };
  const badge = element('p', 'verdict');
  const icon = element('span', 'verdict-icon', verdict.icon);
  icon.setAttribute('aria-hidden', 'true');
  badge.append(icon, ` ${verdict.text}`);
  return badge;
}

function recoveryPoint(wal) {
  if (!wal.lastArchivedAt) {
    return ['none yet'];
  }
  return [`${wal.rpoPretty} ago `, '(', timeElement(wal.lastArchivedAt), `, ${wal.lastArchivedWal})`];
}

function walCard(wal) {
  const item = element('li', `health-card verdict-${wal.verdict}`);
  item.dataset.wal = 'true';
  item.dataset.verdict = wal.verdict;
  const facts = element('dl');
  fact(facts, 'Recovery point', ...recoveryPoint(wal));
  fact(facts, 'Behind', `${wal.lagSegments ?? 0} WAL segments`);
  if (wal.archivePretty) {
    fact(facts, 'Archive size', wal.archivePretty);
  }
  item.append(element('h3', '', 'WAL archive (point in time)'), verdictBadge(wal.verdict),
    element('p', 'reason', wal.reason), facts);
  return item;
}

function card(database) {
  const item = element('li', `health-card verdict-${database.verdict}`);
  item.dataset.database = database.database;
  item.dataset.verdict = database.verdict;
  item.dataset.status = database.status;
  const title = element('h3', '', database.database);
  const badge = verdictBadge(database.verdict);
  const facts = element('dl');
  fact(facts, 'Newest backup', ...newestBackup(database));
  fact(facts, 'Restore time', ...restoreTime(database));
  if (database.failures7d > 0) {
    fact(facts, 'Failed in 7 days', String(database.failures7d));
  }
  item.append(title, badge, element('p', 'reason', database.reason), facts);
  return item;
}

export function renderHealth(health, wal) {
  const cards = health.map(card);
  if (wal) {
    cards.unshift(walCard(wal));
  }
  $('health-cards').replaceChildren(...cards);
}
