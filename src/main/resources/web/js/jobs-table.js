/* The jobs table: the first page refreshed with the page, more pages on "Load more", a row per job. */

import { PAGE_SIZE, request } from './api.js';
import { clampProgress, dateTime, formatCount, formatDuration, jobDuration, shortDateTime } from './format.js';
import { make, setAttr, setText, statusBadge, updateBadge } from './dom.js';
import { renderActions, onActionClick } from './actions.js';
import { listQuery, sameQuery } from './filters.js';
import { describeError, showMessage } from './messages.js';

// Re-verifying a returned stick is rare: the detail offers it, the rows stay short.
const ROW_ACTIONS = ['cancel', 'retry'];
const COLUMNS = [
  ['order', 'Order'], ['status', 'Status'], ['stage', 'Stage'], ['progress', 'Progress'], ['priority', 'Priority'],
  ['mount', 'USB mount'], ['attempts', 'Attempts'], ['duration', 'Duration'], ['created', 'Created'], ['actions', ''],
];

const tbody = document.querySelector('[data-testid="jobs-table"] tbody');
const empty = document.querySelector('[data-testid="jobs-empty"]');
const rowCount = document.querySelector('[data-testid="row-count"]');
const loadMoreButton = document.querySelector('[data-testid="load-more"]');

let firstPage = { jobs: [], nextCursor: null };
let extraPages = []; // appended with "Load more"; never refreshed by themselves
let loadingMore = false;
let selectedId = null;
const rowsById = new Map();

function shownJobs() {
  const seen = new Set();
  const result = [];
  [firstPage].concat(extraPages).forEach(function (page) {
    page.jobs.forEach(function (job) {
      if (!seen.has(job.id)) {
        seen.add(job.id);
        result.push(job);
      }
    });
  });
  return result;
}

/** The job as the table last showed it, if it does. */
export function shownJob(id) {
  return shownJobs().find(function (job) { return job.id === id; });
}

function currentCursor() {
  return (extraPages.length ? extraPages[extraPages.length - 1] : firstPage).nextCursor;
}

function progressBar() {
  const wrap = make('div', 'progress');
  wrap.setAttribute('data-testid', 'progress');
  wrap.setAttribute('role', 'progressbar');
  wrap.setAttribute('aria-valuemin', '0');
  wrap.setAttribute('aria-valuemax', '100');
  const track = make('div', 'progress-track');
  track.appendChild(make('div', 'progress-bar'));
  wrap.appendChild(track);
  wrap.appendChild(make('span', 'progress-text'));
  return wrap;
}

function updateProgress(wrap, job) {
  const pct = clampProgress(job.progress);
  setAttr(wrap, 'data-progress', pct);
  setAttr(wrap, 'aria-valuenow', pct);
  setAttr(wrap, 'data-status', job.status);
  const bar = wrap.querySelector('.progress-bar');
  if (bar.style.width !== pct + '%') bar.style.width = pct + '%';
  setText(wrap.querySelector('.progress-text'), pct + '%');
}

function createRow(job) {
  const tr = make('tr', 'job-row');
  tr.setAttribute('data-testid', 'job-row');
  tr.tabIndex = 0;
  COLUMNS.forEach(function (column) {
    const td = make('td', 'col-' + column[0]);
    td.setAttribute('data-label', column[1]);
    tr.appendChild(td);
  });
  tr.querySelector('.col-status').appendChild(statusBadge(job.status));
  tr.querySelector('.col-progress').appendChild(progressBar());
  tr.querySelector('.col-attempts').classList.add('num');
  tr.querySelector('.col-created').appendChild(make('time'));
  return tr;
}

function updateRow(tr, job) {
  setAttr(tr, 'data-job-id', job.id);
  setAttr(tr, 'data-order-id', job.orderId);
  setAttr(tr, 'data-status', job.status);
  tr.classList.toggle('is-selected', job.id === selectedId);
  setAttr(tr, 'aria-selected', job.id === selectedId ? 'true' : 'false');

  const cell = function (name) { return tr.querySelector('.col-' + name); };
  setText(cell('order'), job.orderId);
  updateBadge(cell('status').firstChild, job.status);
  setText(cell('stage'), job.stage || '–');
  updateProgress(cell('progress').firstChild, job);
  setText(cell('priority'), job.priority || '–');
  setAttr(cell('priority'), 'data-priority', job.priority);
  setText(cell('mount'), job.usbMount || '–');
  setText(cell('attempts'), formatCount(job.attempts));

  const duration = jobDuration(job);
  setText(cell('duration'), formatDuration(duration.ms));
  cell('duration').classList.toggle('is-running', duration.running);

  const time = cell('created').firstChild;
  setText(time, shortDateTime(job.createdAt));
  setAttr(time, 'datetime', job.createdAt);
  setAttr(time, 'title', dateTime(job.createdAt));

  renderActions(cell('actions'), job, job.actions.filter(function (action) { return ROW_ACTIONS.includes(action); }), '');
}

function renderJobs() {
  const jobs = shownJobs();
  const keep = new Set();
  let previous = null;
  jobs.forEach(function (job) {
    keep.add(job.id);
    let tr = rowsById.get(job.id);
    if (!tr) {
      tr = createRow(job);
      rowsById.set(job.id, tr);
    }
    updateRow(tr, job);
    const expectedNext = previous ? previous.nextSibling : tbody.firstChild;
    // Only move rows that are out of place: moving a node under the pointer would swallow a click.
    if (tr !== expectedNext) tbody.insertBefore(tr, expectedNext);
    previous = tr;
  });
  rowsById.forEach(function (tr, id) {
    if (!keep.has(id)) {
      tr.remove();
      rowsById.delete(id);
    }
  });
  const query = listQuery();
  empty.hidden = jobs.length > 0;
  setText(empty, (query.status ? 'No ' + query.status + ' jobs' : 'No jobs')
      + (query.q ? ' match "' + query.q + '".' : '.'));
  setText(rowCount, jobs.length + (jobs.length === 1 ? ' job shown' : ' jobs shown'));
  loadMoreButton.hidden = !currentCursor();
}

/** Marks the row of the job the detail shows (null: none). */
export function selectRow(id) {
  selectedId = id;
  renderJobs();
}

/** Forgets every page: the filters changed, the next refresh fetches the first page for them. */
export function clearJobs() {
  firstPage = { jobs: [], nextCursor: null };
  extraPages = [];
  rowsById.forEach(function (tr) { tr.remove(); });
  rowsById.clear();
  loadMoreButton.hidden = true;
  empty.hidden = false;
  setText(empty, 'Loading…');
  setText(rowCount, '');
}

export async function refreshJobs() {
  const asked = listQuery();
  const result = await request('GET', 'api/jobs', Object.assign({ limit: PAGE_SIZE }, asked));
  if (!sameQuery(asked)) return; // the filters changed while waiting; a new refresh is queued
  firstPage = result.body;
  renderJobs();
}

async function loadMore() {
  const cursor = currentCursor();
  if (!cursor || loadingMore) return;
  const asked = listQuery();
  loadingMore = true;
  loadMoreButton.disabled = true;
  setText(loadMoreButton, 'Loading…');
  try {
    const result = await request('GET', 'api/jobs', Object.assign({ limit: PAGE_SIZE, cursor: cursor }, asked));
    if (!sameQuery(asked)) return;
    extraPages.push(result.body);
    renderJobs();
  } catch (error) {
    showMessage('error', 'Could not load more jobs: ' + describeError(error));
  } finally {
    loadingMore = false;
    loadMoreButton.disabled = false;
    setText(loadMoreButton, 'Load more');
  }
}

/** A click or Enter on a row calls openJob with its job id. */
export function initJobsTable(openJob) {
  tbody.addEventListener('click', onActionClick);
  tbody.addEventListener('click', function (event) {
    if (event.target.closest('button, a, input, select, textarea')) return;
    const tr = event.target.closest('tr[data-testid="job-row"]');
    if (!tr) return;
    // Selecting text in a row (e.g. to copy an order id) should not open the panel.
    const selection = window.getSelection();
    if (!selection.isCollapsed && tr.contains(selection.anchorNode)) return;
    openJob(tr.getAttribute('data-job-id'));
  });
  tbody.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const tr = event.target.closest('tr[data-testid="job-row"]');
    if (!tr || event.target !== tr) return;
    event.preventDefault();
    openJob(tr.getAttribute('data-job-id'));
  });
  loadMoreButton.addEventListener('click', loadMore);
}
