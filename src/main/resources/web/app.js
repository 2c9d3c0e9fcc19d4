/* Operator dashboard for usb-order-pipeline. Plain script, no dependencies.
 * Every server string goes into the DOM through textContent or attributes, never innerHTML. */
'use strict';

(function () {
  const POLL_MS = 1000;
  // While the event stream runs, changes arrive as events; polling stays as a slow safety net.
  const STREAMING_POLL_MS = 15000;
  const STREAM_RETRY_MS = 5000;
  const REQUEST_TIMEOUT_MS = 8000;
  // The charts cover an hour; they are redrawn at most this often.
  const CHARTS_MS = 10000;
  // A bulk action changes its jobs in batches on the server; the answer comes when the last is done.
  const BULK_TIMEOUT_MS = 600000;
  const PAGE_SIZE = 50;
  const TOKEN_KEY = 'usbPipeline.apiToken';
  const STATUSES = ['QUEUED', 'PROCESSING', 'RETRYING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED'];
  // Re-verifying a returned stick is rare: the detail offers it, the rows stay short.
  const ROW_ACTIONS = ['cancel', 'retry'];
  const RUNNING = ['PROCESSING', 'RETRYING'];
  const ACTION_LABELS = { cancel: 'Cancel', retry: 'Retry', reverify: 'Read the stick back again' };

  const state = {
    filter: '',
    search: '',
    bulk: null,              // {action, query, count} awaiting the operator's yes
    firstPage: { jobs: [], nextCursor: null },
    extraPages: [],          // pages appended with "Load more"; never auto-refreshed
    loadingMore: false,
    detailJobId: null,
    detailJob: null,
    logLines: [],            // the open job's log lines so far; only newer ones are fetched (?after=)
    lastSuccess: null,
    pollTimer: null,
    chartsAt: 0,
    streaming: false,        // GET /api/events is open: polling slows down
    eventTimer: null,
    polling: false,
    pollAgain: false,
  };

  const el = {
    tbody: document.querySelector('[data-testid="jobs-table"] tbody'),
    slots: document.querySelector('[data-testid="slots"]'),
    waiting: document.querySelector('[data-testid="waiting-jobs"]'),
    empty: document.querySelector('[data-testid="jobs-empty"]'),
    rowCount: document.querySelector('[data-testid="row-count"]'),
    filter: document.querySelector('[data-testid="status-filter"]'),
    search: document.querySelector('[data-testid="search"]'),
    bulkButtons: document.querySelectorAll('[data-bulk]'),
    bulkConfirm: document.querySelector('[data-testid="bulk-confirm"]'),
    bulkQuestion: document.querySelector('[data-testid="bulk-question"]'),
    bulkYes: document.querySelector('[data-testid="bulk-yes"]'),
    bulkNo: document.querySelector('[data-testid="bulk-no"]'),
    loadMore: document.querySelector('[data-testid="load-more"]'),
    message: document.querySelector('[data-testid="message"]'),
    messageBar: document.querySelector('.message-bar'),
    messageClose: document.querySelector('[data-testid="message-close"]'),
    updatedAt: document.querySelector('[data-testid="updated-at"]'),
    connection: document.querySelector('[data-testid="connection-status"]'),
    tokenInput: document.querySelector('[data-testid="token-input"]'),
    tokenClear: document.querySelector('[data-testid="token-clear"]'),
    tokenForm: document.querySelector('[data-testid="token-form"]'),
    layout: document.querySelector('.layout'),
    detailTemplate: document.getElementById('detail-template'),
    detail: null,
  };

  const rowsById = new Map();

  /* ---------- formatting ---------- */

  function pad2(n) {
    return String(n).padStart(2, '0');
  }

  function clockTime(date) {
    return pad2(date.getHours()) + ':' + pad2(date.getMinutes()) + ':' + pad2(date.getSeconds());
  }

  function parseTime(iso) {
    if (!iso) return null;
    const date = new Date(iso);
    return isNaN(date.getTime()) ? null : date;
  }

  function dateTime(iso) {
    const date = parseTime(iso);
    if (!date) return '–';
    const day = date.getFullYear() + '-' + pad2(date.getMonth() + 1) + '-' + pad2(date.getDate());
    return day + ' ' + clockTime(date);
  }

  /** Today's times show only the clock; older ones the date too. */
  function shortDateTime(iso) {
    const date = parseTime(iso);
    if (!date) return '–';
    if (date.toDateString() === new Date().toDateString()) return clockTime(date);
    return pad2(date.getMonth() + 1) + '-' + pad2(date.getDate()) + ' ' + pad2(date.getHours()) + ':' + pad2(date.getMinutes());
  }

  function formatDuration(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return '–';
    if (ms < 0) ms = 0;
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (Math.floor(ms / 100) / 10).toFixed(1) + ' s';
    const totalSeconds = Math.floor(ms / 1000);
    const hours = Math.floor(totalSeconds / 3600);
    const minutes = Math.floor((totalSeconds % 3600) / 60);
    const seconds = totalSeconds % 60;
    if (hours === 0) return minutes + ' min ' + seconds + ' s';
    if (hours < 24) return hours + ' h ' + minutes + ' min';
    return Math.floor(hours / 24) + ' d ' + (hours % 24) + ' h';
  }

  function formatAge(seconds) {
    if (!isFinite(seconds)) return '–';
    return seconds < 60 ? Math.max(0, Math.round(seconds)) + ' s' : formatDuration(seconds * 1000);
  }

  function formatBytes(bytes) {
    if (bytes === null || bytes === undefined || !isFinite(bytes)) return '–';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return (unit === 0 ? String(value) : value.toFixed(1)) + ' ' + units[unit];
  }

  function formatCount(value) {
    return value === null || value === undefined ? '–' : String(value);
  }

  function clampProgress(value) {
    const n = Math.round(Number(value));
    if (!isFinite(n)) return 0;
    return Math.min(100, Math.max(0, n));
  }

  /** Finished jobs have durationMs; a running job shows the time since it started. */
  function jobDuration(job) {
    if (job.durationMs !== null && job.durationMs !== undefined) return { ms: job.durationMs, running: false };
    const started = parseTime(job.startedAt);
    if (started && RUNNING.includes(job.status) && !job.completedAt) {
      return { ms: Date.now() - started.getTime(), running: true };
    }
    return { ms: null, running: false };
  }


  /* ---------- small DOM helpers ---------- */

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** Writes only when the text changed, so selections and hovering survive the 1 s refresh. */
  function setText(node, text) {
    const value = text === null || text === undefined ? '' : String(text);
    if (node.textContent !== value) node.textContent = value;
  }

  function setAttr(node, name, value) {
    const text = value === null || value === undefined ? '' : String(value);
    if (node.getAttribute(name) !== text) node.setAttribute(name, text);
  }

  function statusBadge(status) {
    const badge = make('span', 'badge');
    updateBadge(badge, status);
    return badge;
  }

  function updateBadge(badge, status) {
    const cls = 'badge status-' + status.toLowerCase();
    if (badge.className !== cls) badge.className = cls;
    setText(badge, status);
  }

  function progressBar() {
    const wrap = make('div', 'progress');
    wrap.setAttribute('data-testid', 'progress');
    wrap.setAttribute('role', 'progressbar');
    wrap.setAttribute('aria-valuemin', '0');
    wrap.setAttribute('aria-valuemax', '100');
    const track = make('div', 'progress-track');
    const bar = make('div', 'progress-bar');
    track.appendChild(bar);
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

  /* ---------- messages and connection state ---------- */

  function showMessage(kind, text) {
    el.messageBar.setAttribute('data-kind', kind);
    el.message.setAttribute('data-kind', kind);
    el.message.textContent = text;
  }

  function clearMessage() {
    el.messageBar.setAttribute('data-kind', 'none');
    el.message.setAttribute('data-kind', 'none');
    el.message.textContent = '';
  }

  function markConnected() {
    state.lastSuccess = new Date();
    setAttr(el.connection, 'data-state', 'ok');
    setText(el.connection, 'Live');
    setText(el.updatedAt, 'updated ' + clockTime(state.lastSuccess));
    setAttr(el.updatedAt, 'data-timestamp', state.lastSuccess.toISOString());
    document.body.classList.remove('is-stale');
  }

  function markConnectionLost(error) {
    setAttr(el.connection, 'data-state', 'lost');
    setText(el.connection, error instanceof ApiError ? 'Server error (HTTP ' + error.status + ')' : 'Connection lost');
    setAttr(el.connection, 'title', error && error.message ? error.message : 'request failed');
    setText(el.updatedAt, state.lastSuccess ? 'updated ' + clockTime(state.lastSuccess) + ' (stale)' : 'not updated yet');
    document.body.classList.add('is-stale');
  }

  /* ---------- HTTP ---------- */

  class ApiError extends Error {
    constructor(status, body, fallback) {
      super((body && body.message) || fallback || 'HTTP ' + status);
      this.status = status;
      this.code = body && body.error;
    }
  }

  function readToken() {
    try {
      return localStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return el.tokenInput.value.trim();
    }
  }

  function saveToken(token) {
    try {
      if (token) localStorage.setItem(TOKEN_KEY, token);
      else localStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // Storage can be blocked (private mode); the input still holds the token for this page.
    }
  }

  function apiUrl(path, params) {
    const url = new URL(path, document.baseURI);
    Object.keys(params || {}).forEach(function (key) {
      const value = params[key];
      if (value !== '' && value !== null && value !== undefined) url.searchParams.set(key, value);
    });
    return url.toString();
  }

  /** Resolves to {status, body}; rejects with ApiError for HTTP errors and TypeError/AbortError when unreachable. */
  async function request(method, path, params, timeoutMs) {
    const waitMs = timeoutMs || REQUEST_TIMEOUT_MS;
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, waitMs);
    const headers = { Accept: 'application/json' };
    // Reads need the token too where the product is configured so (jobs carry customer data).
    const token = el.tokenInput.value.trim() || readToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    // Proof that the dashboard itself asks: another site's page cannot send this header without a preflight.
    if (method !== 'GET') headers['X-Requested-By'] = 'usb-order-pipeline-dashboard';
    try {
      const response = await fetch(apiUrl(path, params), {
        method: method,
        headers: headers,
        cache: 'no-store',
        credentials: 'same-origin',
        signal: controller.signal,
      });
      let body = null;
      const text = await response.text();
      if (text) {
        try {
          body = JSON.parse(text);
        } catch (e) {
          body = null;
        }
      }
      if (response.status === 401) el.tokenForm.classList.add('needs-token');
      if (!response.ok) throw new ApiError(response.status, body, response.statusText);
      return { status: response.status, body: body };
    } catch (error) {
      if (error.name === 'AbortError') throw new Error('the server did not answer within ' + waitMs / 1000 + ' s');
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  function jobPath(id, suffix) {
    return 'api/jobs/' + encodeURIComponent(id) + (suffix || '');
  }

  /* ---------- statistics ---------- */

  function renderQueue(queue) {
    setCard('total', queue.total);
    STATUSES.forEach(function (s) { setCard(s.toLowerCase(), queue[s.toLowerCase()]); });

    setText(document.querySelector('[data-testid="avg-duration"]'), formatDuration(queue.avgDurationMs));
    const perMinute = queue.throughput.lastHour.perMinute;
    setText(document.querySelector('[data-testid="throughput"]'), perMinute.toFixed(perMinute < 10 ? 2 : 1) + ' / min');
    setText(document.querySelector('[data-testid="active-jobs"]'), formatCount(queue.activeJobs));
    const oldest = queue.oldestQueuedAgeSeconds;
    setText(document.querySelector('[data-testid="oldest-queued"]'), oldest === null ? 'none' : formatAge(oldest));
  }

  function setCard(name, value) {
    setText(document.querySelector('[data-testid="card-' + name + '"] .card-value'), formatCount(value));
  }

  /* ---------- jobs table ---------- */

  function visibleJobs() {
    const seen = new Set();
    const result = [];
    const pages = [state.firstPage].concat(state.extraPages);
    pages.forEach(function (page) {
      page.jobs.forEach(function (job) {
        if (!seen.has(job.id)) {
          seen.add(job.id);
          result.push(job);
        }
      });
    });
    return result;
  }

  function currentCursor() {
    const last = state.extraPages.length ? state.extraPages[state.extraPages.length - 1] : state.firstPage;
    return last.nextCursor;
  }

  function createRow(job) {
    const tr = make('tr', 'job-row');
    tr.setAttribute('data-testid', 'job-row');
    tr.tabIndex = 0;
    const cells = ['order', 'status', 'stage', 'progress', 'priority', 'mount', 'attempts', 'duration', 'created', 'actions'];
    const labels = ['Order', 'Status', 'Stage', 'Progress', 'Priority', 'USB mount', 'Attempts', 'Duration', 'Created', ''];
    cells.forEach(function (name, i) {
      const td = make('td', 'col-' + name);
      td.setAttribute('data-label', labels[i]);
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
    tr.classList.toggle('is-selected', job.id === state.detailJobId);
    setAttr(tr, 'aria-selected', job.id === state.detailJobId ? 'true' : 'false');

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

    updateActions(cell('actions'), job, job.actions.filter(function (action) { return ROW_ACTIONS.includes(action); }), '');
  }

  /**
   * Buttons for these of the job's actions (the API lists what each job allows; the page never
   * decides from the status). Rebuilt only when the set changes, so a pending click is not lost.
   */
  function updateActions(container, job, actions, testIdPrefix) {
    const key = actions.join(',');
    if (container.getAttribute('data-actions') === key) {
      container.querySelectorAll('button').forEach(function (b) {
        setAttr(b, 'data-job-id', job.id);
        setAttr(b, 'data-order-id', job.orderId);
      });
      return;
    }
    container.setAttribute('data-actions', key);
    container.textContent = '';
    actions.forEach(function (action) {
      const button = make('button', 'action action-' + action, ACTION_LABELS[action]);
      button.type = 'button';
      button.setAttribute('data-testid', testIdPrefix + action + '-button');
      button.setAttribute('data-action', action);
      button.setAttribute('data-job-id', job.id);
      button.setAttribute('data-order-id', job.orderId);
      button.title = ACTION_LABELS[action] + ': the job for order ' + job.orderId;
      container.appendChild(button);
    });
  }

  function renderJobs() {
    const jobs = visibleJobs();
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
      const expectedNext = previous ? previous.nextSibling : el.tbody.firstChild;
      // Only move rows that are out of place: moving a node under the pointer would swallow a click.
      if (tr !== expectedNext) el.tbody.insertBefore(tr, expectedNext);
      previous = tr;
    });
    rowsById.forEach(function (tr, id) {
      if (!keep.has(id)) {
        tr.remove();
        rowsById.delete(id);
      }
    });
    el.empty.hidden = jobs.length > 0;
    setText(el.empty, (state.filter ? 'No ' + state.filter + ' jobs' : 'No jobs')
        + (state.search ? ' match "' + state.search + '".' : '.'));
    setText(el.rowCount, jobs.length + (jobs.length === 1 ? ' job shown' : ' jobs shown'));
    el.loadMore.hidden = !currentCursor();
  }

  function clearJobs() {
    state.firstPage = { jobs: [], nextCursor: null };
    state.extraPages = [];
    rowsById.forEach(function (tr) { tr.remove(); });
    rowsById.clear();
    el.loadMore.hidden = true;
    el.empty.hidden = false;
    setText(el.empty, 'Loading…');
    setText(el.rowCount, '');
  }

  async function refreshQueue() {
    const result = await request('GET', 'api/queue');
    renderQueue(result.body);
  }

  /** The list's filters as query parameters; a stale answer is one asked with other filters. */
  function listQuery() {
    return { status: state.filter, q: state.search };
  }

  function sameQuery(asked) {
    return asked.status === state.filter && asked.q === state.search;
  }

  async function refreshFirstPage() {
    const asked = listQuery();
    const result = await request('GET', 'api/jobs', Object.assign({ limit: PAGE_SIZE }, asked));
    if (!sameQuery(asked)) return; // the filters changed while waiting; a new refresh is queued
    state.firstPage = result.body;
    renderJobs();
  }

  async function loadMore() {
    const cursor = currentCursor();
    if (!cursor || state.loadingMore) return;
    const asked = listQuery();
    state.loadingMore = true;
    el.loadMore.disabled = true;
    setText(el.loadMore, 'Loading…');
    try {
      const result = await request('GET', 'api/jobs', Object.assign({ limit: PAGE_SIZE, cursor: cursor }, asked));
      if (!sameQuery(asked)) return;
      state.extraPages.push(result.body);
      renderJobs();
    } catch (error) {
      showMessage('error', 'Could not load more jobs: ' + describeError(error));
    } finally {
      state.loadingMore = false;
      el.loadMore.disabled = false;
      setText(el.loadMore, 'Load more');
    }
  }

  /* ---------- actions ---------- */

  function describeError(error) {
    if (error instanceof ApiError && error.status === 401) {
      return 'this product needs its API token to show jobs; enter it in the header (' + error.message + ')';
    }
    if (error instanceof ApiError) return error.message + ' (HTTP ' + error.status + ')';
    if (error instanceof TypeError) return 'the server cannot be reached';
    return error.message || String(error);
  }

  function successText(action, status, order) {
    if (action === 'retry') return 'Job ' + order + ' queued again';
    if (action === 'reverify') return 'Reading the stick of ' + order + ' back; the result shows in the job';
    // 200: cancelled; 202: a running job was asked to stop.
    if (status === 202) return 'Job ' + order + ' will stop at its next checkpoint';
    return 'Job ' + order + ' cancelled';
  }

  function failureText(action, error, order) {
    const verb = action === 'reverify' ? 'read back the stick of' : action;
    if (error instanceof ApiError) {
      if (error.status === 401) {
        return (readToken() || el.tokenInput.value.trim())
          ? 'Could not ' + verb + ' job ' + order + ': the API token was refused (' + error.message + '). Check the token in the header.'
          : 'Could not ' + verb + ' job ' + order + ': an API token is required. Enter it in the header and try again.';
      }
      if (error.status === 403) {
        return 'Could not ' + verb + ' job ' + order + ': forbidden (' + error.message + '). Without an API token the product accepts actions only from its own machine.';
      }
      if (error.status === 404) return 'Job ' + order + ' no longer exists.';
      if (error.status === 409) return 'Could not ' + verb + ' job ' + order + ' now: ' + error.message;
    }
    return 'Could not ' + verb + ' job ' + order + ': ' + describeError(error);
  }

  async function runAction(button) {
    const action = button.getAttribute('data-action');
    const id = button.getAttribute('data-job-id');
    const order = button.getAttribute('data-order-id');
    button.disabled = true;
    try {
      const result = await request('POST', jobPath(id, '/' + action));
      showMessage('success', successText(action, result.status, order));
    } catch (error) {
      showMessage('error', failureText(action, error, order));
      if (error instanceof ApiError && error.status === 401) {
        el.tokenForm.classList.add('needs-token');
        el.tokenInput.focus();
      }
    } finally {
      button.disabled = false;
      refreshNow();
    }
  }

  /* ---------- bulk actions ---------- */

  /** "failed jobs matching "usb"": the list's filters in words. */
  function describeShown(count) {
    return (state.filter ? state.filter.toLowerCase() + ' ' : '') + (count === 1 ? 'job' : 'jobs')
        + (state.search ? ' matching "' + state.search + '"' : '');
  }

  /** Counts first (a dry run), then asks: "Retry 1,234 failed jobs matching "USB_FULL"?" */
  async function askBulk(action) {
    const query = listQuery();
    try {
      const result = await request('POST', 'api/jobs/' + action, Object.assign({ dryRun: 'true' }, query));
      const count = result.body.changed;
      if (count === 0) {
        showMessage('info', 'No ' + describeShown(2) + ' to ' + action + '.');
        return;
      }
      state.bulk = { action: action, query: query, count: count };
      setText(el.bulkQuestion, (action === 'retry' ? 'Retry ' : 'Cancel ') + count.toLocaleString('en')
          + ' ' + describeShown(count) + '?');
      el.bulkConfirm.hidden = false;
      el.bulkYes.focus();
    } catch (error) {
      showMessage('error', 'Could not count the jobs to ' + action + ': ' + describeError(error));
    }
  }

  async function runBulk() {
    const bulk = state.bulk;
    closeBulk();
    if (!bulk) return;
    showMessage('info', (bulk.action === 'retry' ? 'Retrying ' : 'Cancelling ') + bulk.count.toLocaleString('en') + ' jobs…');
    try {
      const result = await request('POST', 'api/jobs/' + bulk.action, bulk.query, BULK_TIMEOUT_MS);
      const done = result.body;
      showMessage('success', (bulk.action === 'retry' ? 'Queued again ' : 'Cancelled or stopping ')
          + done.changed.toLocaleString('en') + ' of ' + done.matched.toLocaleString('en') + ' jobs'
          + (done.skipped ? '; ' + done.skipped.toLocaleString('en') + ' skipped (not in a status to ' + bulk.action + ').' : '.'));
    } catch (error) {
      showMessage('error', 'Could not ' + bulk.action + ' the jobs: ' + describeError(error));
    } finally {
      refreshNow();
    }
  }

  function closeBulk() {
    state.bulk = null;
    el.bulkConfirm.hidden = true;
  }

  /* ---------- charts ---------- */

  const SVG = 'http://www.w3.org/2000/svg';

  function svgNode(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * Bars for {label, value, kind} items on a 300 × 100 canvas, tallest = the highest value; each bar
   * carries its label and value (data-label, data-value) and says them on hover.
   */
  function drawBars(svg, items, labelEvery) {
    svg.textContent = '';
    const max = items.reduce(function (m, item) { return Math.max(m, item.value || 0); }, 0);
    const width = 300 / Math.max(items.length, 1);
    items.forEach(function (item, index) {
      const height = max === 0 ? 0 : Math.max(1, (item.value || 0) / max * 80);
      const bar = svgNode('rect', {
        x: (index * width + width * 0.1).toFixed(2), y: (85 - height).toFixed(2),
        width: (width * 0.8).toFixed(2), height: height.toFixed(2),
        class: 'bar ' + (item.kind || ''), 'data-label': item.label, 'data-value': String(item.value === null ? '' : item.value),
      });
      bar.appendChild(svgNode('title', {}, item.label + ': ' + (item.value === null ? 'none yet' : item.text || item.value)));
      svg.appendChild(bar);
      if (labelEvery && index % labelEvery === 0) {
        svg.appendChild(svgNode('text', { x: (index * width + width / 2).toFixed(2), y: 97, class: 'axis' }, item.short || item.label));
      }
    });
    svg.appendChild(svgNode('text', { x: 2, y: 9, class: 'axis' }, 'max ' + formatChartValue(max)));
  }

  function formatChartValue(value) {
    return value >= 100 ? Math.round(value).toLocaleString('en') : String(Math.round(value * 10) / 10);
  }

  function drawCharts(charts) {
    drawBars(document.querySelector('[data-testid="chart-throughput"]'), charts.throughput.map(function (minute) {
      return { label: minute.minute, value: minute.jobs, short: minute.minute.slice(11, 16) };
    }), 15);
    const total = charts.throughput.reduce(function (sum, minute) { return sum + minute.jobs; }, 0);
    setText(document.querySelector('[data-testid="chart-throughput-total"]'), total.toLocaleString('en') + ' in all');
    const stages = [];
    charts.stages.forEach(function (stage) {
      stages.push({ label: stage.stage + ' p50', value: stage.p50Ms, kind: 'p50', short: stage.stage, text: ms(stage.p50Ms) });
      stages.push({ label: stage.stage + ' p95', value: stage.p95Ms, kind: 'p95', text: ms(stage.p95Ms) });
    });
    drawBars(document.querySelector('[data-testid="chart-stages"]'), stages, 2);
    const failures = Object.keys(charts.failures).map(function (code) {
      return { label: code, value: charts.failures[code], kind: 'failed', short: code.slice(0, 10) };
    });
    drawBars(document.querySelector('[data-testid="chart-failures"]'), failures, 1);
    const slots = Object.keys(charts.slots).map(function (slotState) {
      return { label: slotState, value: charts.slots[slotState], kind: 'slot-' + slotState.toLowerCase(), short: slotState };
    });
    drawBars(document.querySelector('[data-testid="chart-slots"]'), slots, 1);
    setText(document.querySelector('[data-testid="chart-slots-utilisation"]'), charts.slotUtilisation === null
        ? '' : Math.round(charts.slotUtilisation * 100) + '% writing');
  }

  function ms(value) {
    return value === null ? 'none yet' : formatChartValue(value) + ' ms';
  }

  async function refreshCharts() {
    if (Date.now() - state.chartsAt < CHARTS_MS) return;
    const result = await request('GET', 'api/charts');
    state.chartsAt = Date.now();
    drawCharts(result.body);
  }

  /* ---------- station panel ---------- */

  /** What the operator must do next at a slot, in words. */
  const SLOT_HINTS = {
    EMPTY: 'plug in a blank stick',
    READY: 'blank stick ready',
    WRITING: 'writing, do not remove',
    DONE: 'remove the stick',
    FAULTY: 'replace the stick',
  };

  function slotTile(slot) {
    let tile = el.slots.querySelector('[data-slot="' + CSS.escape(slot.slot) + '"]');
    if (!tile) {
      tile = make('div', 'slot');
      tile.setAttribute('data-testid', 'slot-tile');
      tile.setAttribute('data-slot', slot.slot);
      tile.appendChild(make('div', 'slot-name', slot.slot));
      tile.appendChild(make('div', 'slot-state'));
      tile.appendChild(make('div', 'slot-hint'));
      tile.appendChild(make('div', 'slot-detail'));
      const release = make('button', 'action slot-release', 'Stick removed');
      release.type = 'button';
      release.setAttribute('data-testid', 'release-button');
      release.setAttribute('data-release-slot', slot.slot);
      tile.appendChild(release);
      el.slots.appendChild(tile);
    }
    return tile;
  }

  function slotDetail(slot) {
    if (slot.state === 'WRITING') {
      const speed = slot.bytesPerSecond ? ' · ' + (slot.bytesPerSecond / 1e6).toFixed(1) + ' MB/s' : '';
      return (slot.orderId || '') + (slot.progress === null ? '' : ' · ' + slot.progress + '%') + speed;
    }
    if (slot.state === 'DONE') return slot.orderId + (slot.label ? ' · label: ' + slot.label : '');
    if (slot.state === 'FAULTY') return slot.problem || '';
    if (slot.stick && slot.stick.sizeBytes) return formatBytes(slot.stick.sizeBytes) + ' ' + slot.stick.fsType;
    return '';
  }

  function renderStation(slots, waiting) {
    const seen = new Set();
    slots.forEach(function (slot) {
      seen.add(slot.slot);
      const tile = slotTile(slot);
      setAttr(tile, 'data-state', slot.state);
      setText(tile.querySelector('.slot-state'), slot.state);
      setText(tile.querySelector('.slot-hint'), slot.state === 'DONE' && slot.label
        ? 'remove the stick: ' + slot.label : SLOT_HINTS[slot.state]);
      setText(tile.querySelector('.slot-detail'), slotDetail(slot));
      tile.querySelector('[data-testid="release-button"]').hidden = slot.state !== 'DONE';
    });
    el.slots.querySelectorAll('[data-slot]').forEach(function (tile) {
      if (!seen.has(tile.getAttribute('data-slot'))) tile.remove();
    });
    el.waiting.textContent = '';
    if (!waiting.length) el.waiting.appendChild(make('li', 'muted', 'none'));
    waiting.forEach(function (job) {
      const item = make('li', null, job.orderId + ' · ' + (job.waitingFor || 'a stick') + ' · ' + job.priority);
      item.setAttribute('data-testid', 'waiting-job');
      el.waiting.appendChild(item);
    });
  }

  async function refreshStation() {
    const [slots, waiting] = await Promise.all([
      request('GET', 'api/slots'),
      request('GET', 'api/jobs', { status: 'WAITING', limit: PAGE_SIZE }),
    ]);
    renderStation(slots.body, waiting.body.jobs);
  }

  async function releaseSlot(button) {
    const slot = button.getAttribute('data-release-slot');
    button.disabled = true;
    try {
      const result = await request('POST', 'api/slots/' + encodeURIComponent(slot) + '/release');
      showMessage('success', 'Slot ' + slot + ' released; it is ' + result.body.state + '.');
    } catch (error) {
      showMessage('error', 'Could not release slot ' + slot + ': ' + describeError(error));
    } finally {
      button.disabled = false;
      refreshNow();
    }
  }

  function onSlotClick(event) {
    const button = event.target.closest('button[data-release-slot]');
    if (button && !button.disabled) releaseSlot(button);
  }

  /* ---------- detail panel ---------- */

  function openDetail(id) {
    if (!el.detail) {
      el.detail = el.detailTemplate.content.firstElementChild.cloneNode(true);
      el.detail.querySelector('[data-testid="detail-close"]').addEventListener('click', closeDetail);
      el.detail.addEventListener('click', onActionClick);
      el.layout.appendChild(el.detail);
      el.layout.classList.add('has-detail');
    }
    const changed = state.detailJobId !== id;
    state.detailJobId = id;
    el.detail.setAttribute('data-job-id', id);
    if (changed) {
      state.detailJob = null;
      state.logLines = [];
      el.detail.querySelector('.logs').textContent = '';
      el.detail.querySelector('.timeline tbody').textContent = '';
      el.detail.querySelector('.fields').textContent = '';
      el.detail.querySelector('.detail-actions').textContent = '';
      el.detail.querySelector('.detail-actions').removeAttribute('data-actions');
      const known = visibleJobs().find(function (j) { return j.id === id; });
      if (known) renderDetailJob(known);
    }
    renderJobs();
    revealDetail();
    refreshNow();
  }

  /** In one-column layouts the panel sits above the table; bring it into view without animating,
   *  so nothing moves under the pointer after the click. */
  function revealDetail() {
    const top = el.detail.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.6) el.detail.scrollIntoView({ block: 'start' });
  }

  function closeDetail() {
    if (el.detail) el.detail.remove();
    el.detail = null;
    state.detailJobId = null;
    state.detailJob = null;
    el.layout.classList.remove('has-detail');
    renderJobs();
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

  function renderDetailJob(job) {
    if (!el.detail) return;
    state.detailJob = job;
    setAttr(el.detail, 'data-status', job.status);
    setText(el.detail.querySelector('.detail-order'), job.orderId);
    el.detail.querySelector('[data-testid="detail-notice"]').hidden = true;

    const list = el.detail.querySelector('.fields');
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

    const error = el.detail.querySelector('[data-testid="job-error"]');
    const hasError = Boolean(job.errorCode || job.errorMessage);
    error.hidden = !hasError;
    setText(error.querySelector('.detail-error-code'), job.errorCode || 'ERROR');
    setText(error.querySelector('.detail-error-recoverable'),
      job.errorRecoverable === true ? 'recoverable' : job.errorRecoverable === false ? 'not recoverable' : '');
    setText(error.querySelector('.detail-error-message'), job.errorMessage || '');

    updateActions(el.detail.querySelector('.detail-actions'), job, job.actions, 'detail-');
  }

  function renderDetailMissing() {
    const notice = el.detail.querySelector('[data-testid="detail-notice"]');
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
    const known = new Set(state.logLines.map(function (line) { return line.id; }));
    const newLines = fetched.filter(function (line) { return !known.has(line.id); });
    const wrap = el.detail.querySelector('.logs-wrap');
    const list = el.detail.querySelector('.logs');
    el.detail.querySelector('.logs-empty').hidden = state.logLines.length + newLines.length > 0;
    if (newLines.length === 0) return;
    const stickToBottom = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 4;
    state.logLines = state.logLines.concat(newLines).sort(function (a, b) {
      return a.at === b.at ? a.id - b.id : (a.at < b.at ? -1 : 1);
    });
    list.textContent = '';
    state.logLines.forEach(function (line) {
      list.appendChild(logLine(line));
    });
    if (stickToBottom) wrap.scrollTop = wrap.scrollHeight;
  }

  /** Each attempt as a row (its stages with their durations, where it wrote, how it ended) and the events between. */
  function renderTimeline(timeline) {
    const body = el.detail.querySelector('.timeline tbody');
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
    return state.logLines.reduce(function (max, line) { return Math.max(max, line.id); }, 0);
  }

  async function refreshDetail() {
    const id = state.detailJobId;
    if (id === null) return;
    try {
      const [job, logs] = await Promise.all([
        request('GET', jobPath(id)),
        request('GET', jobPath(id, '/logs'), { after: lastLogLineId() || '' }),
      ]);
      if (id !== state.detailJobId) return;
      renderDetailJob(job.body);
      renderLogs(logs.body);
      // The attempts change only with new log lines.
      if (logs.body.length > 0) {
        const timeline = await request('GET', jobPath(id, '/timeline'));
        if (id === state.detailJobId) renderTimeline(timeline.body);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && id === state.detailJobId) {
        renderDetailMissing();
        return;
      }
      throw error;
    }
  }

  /* ---------- polling ---------- */

  /** One refresh at a time: a slow answer delays the next poll instead of stacking requests. */
  async function poll() {
    if (state.polling) {
      state.pollAgain = true;
      return;
    }
    clearTimeout(state.pollTimer);
    state.polling = true;
    state.pollAgain = false;
    const results = await Promise.allSettled([refreshQueue(), refreshFirstPage(), refreshDetail(), refreshStation(),
      refreshCharts()]);
    const failure = results.find(function (r) { return r.status === 'rejected'; });
    if (failure) markConnectionLost(failure.reason);
    else markConnected();
    state.polling = false;
    if (state.pollAgain) poll();
    else state.pollTimer = setTimeout(poll, state.streaming ? STREAMING_POLL_MS : POLL_MS);
  }

  /* ---------- live updates ---------- */

  /**
   * Listens on GET /api/events (Server-Sent Events, read with fetch so the API token goes along). Each
   * change refreshes what the page shows, at most every 200 ms; when the stream breaks the page polls
   * every second again and reconnects after a while.
   */
  async function listenForChanges() {
    const headers = { Accept: 'text/event-stream' };
    const token = el.tokenInput.value.trim() || readToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    try {
      const response = await fetch(apiUrl('api/events'), { headers: headers, cache: 'no-store', credentials: 'same-origin' });
      if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
      setStreaming(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += chunk.value;
        const events = buffer.split('\n\n');
        buffer = events.pop();
        if (events.some(function (event) { return /^event: /m.test(event); })) changeHeard();
      }
    } catch (error) {
      // Falls back to polling below.
    }
    setStreaming(false);
    setTimeout(listenForChanges, STREAM_RETRY_MS);
  }

  function setStreaming(streaming) {
    state.streaming = streaming;
    document.body.setAttribute('data-updates', streaming ? 'stream' : 'polling');
    if (!streaming) refreshNow();
  }

  function changeHeard() {
    if (state.eventTimer) return;
    state.eventTimer = setTimeout(function () {
      state.eventTimer = null;
      refreshNow();
    }, 200);
  }

  function refreshNow() {
    poll();
  }

  /* ---------- events ---------- */

  function onActionClick(event) {
    const button = event.target.closest('button[data-action]');
    if (!button || button.disabled) return;
    event.stopPropagation();
    runAction(button);
  }

  function onRowClick(event) {
    if (event.target.closest('button, a, input, select, textarea')) return;
    const tr = event.target.closest('tr[data-testid="job-row"]');
    if (!tr) return;
    // Selecting text in a row (e.g. to copy an order id) should not open the panel.
    const selection = window.getSelection();
    if (!selection.isCollapsed && tr.contains(selection.anchorNode)) return;
    openDetail(tr.getAttribute('data-job-id'));
  }

  function onRowKey(event) {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const tr = event.target.closest('tr[data-testid="job-row"]');
    if (!tr || event.target !== tr) return;
    event.preventDefault();
    openDetail(tr.getAttribute('data-job-id'));
  }

  function onFilterChange() {
    closeBulk();
    state.filter = el.filter.value;
    state.search = el.search.value.trim();
    const url = new URL(window.location.href);
    if (state.filter) url.searchParams.set('status', state.filter);
    else url.searchParams.delete('status');
    if (state.search) url.searchParams.set('q', state.search);
    else url.searchParams.delete('q');
    window.history.replaceState(null, '', url.toString());
    clearJobs();
    refreshNow();
  }

  let searchTimer = null;

  /** Searches once typing pauses, not at every key. */
  function onSearchInput() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      if (el.search.value.trim() !== state.search) onFilterChange();
    }, 300);
  }

  function onTokenInput() {
    saveToken(el.tokenInput.value.trim());
    el.tokenForm.classList.remove('needs-token');
  }

  function initFilterFromUrl() {
    const params = new URL(window.location.href).searchParams;
    const wanted = params.get('status');
    if (wanted && STATUSES.includes(wanted.toUpperCase())) {
      el.filter.value = wanted.toUpperCase();
      state.filter = el.filter.value;
    }
    el.search.value = (params.get('q') || '').slice(0, 255);
    state.search = el.search.value.trim();
  }

  function init() {
    el.tokenInput.value = readToken();
    el.tokenInput.addEventListener('input', onTokenInput);
    el.tokenClear.addEventListener('click', function () {
      el.tokenInput.value = '';
      onTokenInput();
    });
    el.tokenForm.addEventListener('submit', function (event) { event.preventDefault(); });
    el.messageClose.addEventListener('click', clearMessage);
    el.filter.addEventListener('change', onFilterChange);
    el.search.addEventListener('input', onSearchInput);
    el.search.addEventListener('search', onFilterChange);
    el.bulkButtons.forEach(function (button) {
      button.addEventListener('click', function () { askBulk(button.getAttribute('data-bulk')); });
    });
    el.bulkYes.addEventListener('click', runBulk);
    el.bulkNo.addEventListener('click', closeBulk);
    el.tbody.addEventListener('click', onActionClick);
    el.slots.addEventListener('click', onSlotClick);
    el.tbody.addEventListener('click', onRowClick);
    el.tbody.addEventListener('keydown', onRowKey);
    el.loadMore.addEventListener('click', loadMore);
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && el.detail) closeDetail();
    });
    initFilterFromUrl();
    clearJobs();
    document.body.setAttribute('data-updates', 'polling');
    poll();
    listenForChanges();
  }

  init();
})();
