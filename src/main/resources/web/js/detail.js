/* A job's detail beside the table: its fields, error, buttons, attempts and log lines (fetched incrementally). */

import { ApiError, jobPath, request } from './api.js';
import { clampProgress, dateTime, formatBytes, formatCount, formatDuration, jobDuration } from './format.js';
import { make, setAttr, setText, updateBadge } from './dom.js';
import { renderActions, onActionClick } from './actions.js';
import { selectRow, shownJob } from './jobs-table.js';
import { refreshNow } from './live.js';

const layout = document.querySelector('.layout');
const template = document.getElementById('detail-template');

let panel = null;
let jobId = null;
let logLines = []; // the open job's log lines so far; only newer ones are fetched (?after=)

function part(selector) {
  return panel.querySelector(selector);
}

export function openDetail(id) {
  if (!panel) {
    panel = template.content.firstElementChild.cloneNode(true);
    part('[data-testid="detail-close"]').addEventListener('click', closeDetail);
    panel.addEventListener('click', onActionClick);
    layout.appendChild(panel);
    layout.classList.add('has-detail');
  }
  const changed = jobId !== id;
  jobId = id;
  panel.setAttribute('data-job-id', id);
  if (changed) {
    logLines = [];
    part('.logs').textContent = '';
    part('.timeline tbody').textContent = '';
    part('.fields').textContent = '';
    part('.detail-actions').textContent = '';
    part('.detail-actions').removeAttribute('data-actions');
    const known = shownJob(id);
    if (known) renderJob(known);
  }
  selectRow(id);
  revealDetail();
  refreshNow();
}

/** In one-column layouts the panel sits above the table; bring it into view without animating,
 *  so nothing moves under the pointer after the click. */
function revealDetail() {
  const top = panel.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) panel.scrollIntoView({ block: 'start' });
}

function closeDetail() {
  if (!panel) return;
  panel.remove();
  panel = null;
  jobId = null;
  layout.classList.remove('has-detail');
  selectRow(null);
}

function detailFields(job) {
  const duration = jobDuration(job);
  return [
    ['Job id', job.id],
    ['Order id', job.orderId],
    ['Status', job.status],
    ['Stage', job.stage],
    ['Progress', clampProgress(job.progress) + '%'],
    ['Priority', job.priority],
    ['Attempts', formatCount(job.attempts)],
    ['USB mount', job.usbMount || '–'],
    ['Waiting for', job.waitingFor || '–'],
    ['Slot', job.slot || '–'],
    ['Stick', job.stick ? job.stick.id + (job.stick.serial ? ' (serial ' + job.stick.serial + ')' : '') : '–'],
    ['Verified by', job.verifiedBy === 'direct' ? 'reading the stick (direct)'
      : job.verifiedBy === 'cached' ? 'page cache (filesystem refuses direct reads)' : '–'],
    ['Bytes', formatBytes(job.bytesWritten) + ' of ' + formatBytes(job.bytesPlanned)],
    ['Files', formatCount(job.filesWritten) + ' of ' + formatCount(job.filesPlanned)],
    ['Duration', formatDuration(duration.ms) + (duration.running ? ' (running)' : '')],
    ['Created', dateTime(job.createdAt)],
    ['Started', dateTime(job.startedAt)],
    ['Completed', dateTime(job.completedAt)],
    ['Updated', dateTime(job.updatedAt)],
    ['Read back again', job.reverifiedAt ? dateTime(job.reverifiedAt) + ': ' + job.reverifyResult : '–'],
  ];
}

function renderJob(job) {
  setAttr(panel, 'data-status', job.status);
  setText(part('.detail-order'), job.orderId);
  part('[data-testid="detail-notice"]').hidden = true;

  const list = part('.fields');
  const fields = detailFields(job);
  if (list.children.length !== fields.length * 2) {
    list.textContent = '';
    fields.forEach(function (field) {
      list.appendChild(make('dt', null, field[0]));
      list.appendChild(make('dd'));
    });
  }
  fields.forEach(function (field, i) {
    const dd = list.children[i * 2 + 1];
    setAttr(dd, 'data-field', field[0].toLowerCase().replace(/\s+/g, '-'));
    setText(dd, field[1] === null || field[1] === undefined || field[1] === '' ? '–' : field[1]);
  });
  updateBadge(list.querySelector('[data-field="status"]'), job.status);

  const error = part('[data-testid="job-error"]');
  error.hidden = !(job.errorCode || job.errorMessage);
  setText(error.querySelector('.detail-error-code'), job.errorCode || 'ERROR');
  setText(error.querySelector('.detail-error-recoverable'),
    job.errorRecoverable === true ? 'recoverable' : job.errorRecoverable === false ? 'not recoverable' : '');
  setText(error.querySelector('.detail-error-message'), job.errorMessage || '');

  renderActions(part('.detail-actions'), job, job.actions, 'detail-');
}

function renderMissing() {
  const notice = part('[data-testid="detail-notice"]');
  notice.hidden = false;
  setText(notice, 'This job no longer exists.');
}

function logLine(line) {
  const item = make('li', 'log-line level-' + line.level.toLowerCase());
  item.setAttribute('data-testid', 'log-line');
  item.setAttribute('data-level', line.level);
  const meta = make('div', 'log-meta');
  const time = make('time', 'log-at', dateTime(line.at));
  time.setAttribute('datetime', line.at);
  meta.appendChild(time);
  meta.appendChild(make('span', 'log-level', line.level));
  meta.appendChild(make('span', 'log-stage', line.stage || ''));
  if (line.errorCode) meta.appendChild(make('span', 'log-error', line.errorCode));
  item.appendChild(meta);
  item.appendChild(make('div', 'log-message', line.message));
  return item;
}

/** Adds the lines fetched since the last look and shows them in the order they happened. */
function renderLogs(fetched) {
  const known = new Set(logLines.map(function (line) { return line.id; }));
  const newLines = fetched.filter(function (line) { return !known.has(line.id); });
  const wrap = part('.logs-wrap');
  const list = part('.logs');
  part('.logs-empty').hidden = logLines.length + newLines.length > 0;
  if (newLines.length === 0) return;
  const stickToBottom = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 4;
  logLines = logLines.concat(newLines).sort(function (a, b) {
    return a.at === b.at ? a.id - b.id : (a.at < b.at ? -1 : 1);
  });
  list.textContent = '';
  logLines.forEach(function (line) {
    list.appendChild(logLine(line));
  });
  if (stickToBottom) wrap.scrollTop = wrap.scrollHeight;
}

/** Each attempt as a row (its stages with their durations, where it wrote, how it ended) and the events between. */
function renderTimeline(timeline) {
  const body = part('.timeline tbody');
  body.textContent = '';
  timeline.rows.forEach(function (row) {
    const tr = make('tr');
    if (row.attempt) {
      const attempt = row.attempt;
      tr.setAttribute('data-testid', 'attempt-row');
      tr.className = attempt.errorCode ? 'attempt failed' : 'attempt';
      tr.appendChild(make('td', '', attempt.number));
      tr.appendChild(make('td', '', dateTime(attempt.startedAt) + ' · ' + formatDuration(attempt.durationMs)));
      tr.appendChild(make('td', '', attempt.stages.map(function (stage) {
        return stage.stage + ' ' + formatDuration(stage.durationMs);
      }).join(' → ')));
      tr.appendChild(make('td', '', attempt.where || ''));
      tr.appendChild(make('td', '', attempt.errorCode ? attempt.errorCode + ': ' + attempt.error : attempt.outcome));
    } else {
      tr.setAttribute('data-testid', 'timeline-event');
      tr.className = 'event';
      tr.appendChild(make('td', '', ''));
      tr.appendChild(make('td', '', dateTime(row.event.at)));
      const message = make('td', '', row.event.message);
      message.colSpan = 3;
      tr.appendChild(message);
    }
    body.appendChild(tr);
  });
}

function lastLogLineId() {
  return logLines.reduce(function (max, line) { return Math.max(max, line.id); }, 0);
}

export async function refreshDetail() {
  const id = jobId;
  if (id === null) return;
  try {
    const [job, logs] = await Promise.all([
      request('GET', jobPath(id)),
      request('GET', jobPath(id, '/logs'), { after: lastLogLineId() || '' }),
    ]);
    if (id !== jobId) return;
    renderJob(job.body);
    renderLogs(logs.body);
    // The attempts change only with new log lines.
    if (logs.body.length > 0) {
      const timeline = await request('GET', jobPath(id, '/timeline'));
      if (id === jobId) renderTimeline(timeline.body);
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && id === jobId) {
      renderMissing();
      return;
    }
    throw error;
  }
}

export function initDetail() {
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') closeDetail();
  });
}
