/* "Retry all shown" and "Cancel all shown": a dry run counts first, the operator confirms, then the server
   starts an operation in the background and the page follows its progress until it is done. */

import { request } from './api.js';
import { setText } from './dom.js';
import { describeShown, listQuery } from './filters.js';
import { describeError, showMessage } from './messages.js';
import { refreshNow } from './live.js';

// How often the page asks how far the operation is.
const PROGRESS_POLL_MS = 500;
// Looks in a row that may fail before the page gives up following (a minute at least).
const MAX_FAILED_LOOKS = 120;

const buttons = document.querySelectorAll('[data-bulk]');
const confirmBar = document.querySelector('[data-testid="bulk-confirm"]');
const question = document.querySelector('[data-testid="bulk-question"]');
const yes = document.querySelector('[data-testid="bulk-yes"]');
const no = document.querySelector('[data-testid="bulk-no"]');

let pending = null; // {action, query, count} awaiting the operator's yes

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
    pending = { action: action, query: query, count: count };
    setText(question, (action === 'retry' ? 'Retry ' : 'Cancel ') + count.toLocaleString('en')
        + ' ' + describeShown(count) + '?');
    confirmBar.hidden = false;
    yes.focus();
  } catch (error) {
    showMessage('error', 'Could not count the jobs to ' + action + ': ' + describeError(error));
  }
}

async function runBulk() {
  const bulk = pending;
  closeBulk();
  if (!bulk) return;
  const doing = bulk.action === 'retry' ? 'Retrying ' : 'Cancelling ';
  showMessage('info', doing + bulk.count.toLocaleString('en') + ' jobs…');
  try {
    const started = await request('POST', 'api/jobs/' + bulk.action, bulk.query);
    const done = await follow(started.body, doing);
    showMessage('success', (bulk.action === 'retry' ? 'Queued again ' : 'Cancelled or stopping ')
        + done.changed.toLocaleString('en') + ' of ' + done.matched.toLocaleString('en') + ' jobs'
        + (done.skipped ? '; ' + done.skipped.toLocaleString('en') + ' skipped (not in a status to ' + bulk.action + ').' : '.'));
  } catch (error) {
    showMessage('error', 'Could not ' + bulk.action + ' the jobs: ' + describeError(error));
  } finally {
    refreshNow();
  }
}

/**
 * Shows the operation's progress until it is done; resolves to its last state. A look that fails
 * (the server busy or restarting) is tried again: the operation goes on without the page.
 */
async function follow(operation, doing) {
  let now = operation;
  let failedLooks = 0;
  while (!now.done) {
    showMessage('info', doing + now.processed.toLocaleString('en') + ' of ' + now.eligible.toLocaleString('en')
        + ' jobs (' + Math.round(now.progress * 100) + ' %)…');
    await new Promise(function (resolve) { setTimeout(resolve, PROGRESS_POLL_MS); });
    try {
      now = (await request('GET', 'api/operations/' + encodeURIComponent(operation.id))).body;
      failedLooks = 0;
    } catch (error) {
      if (++failedLooks >= MAX_FAILED_LOOKS) {
        throw new Error('lost sight of operation ' + operation.id + ', which goes on in the background ('
            + describeError(error) + ')');
      }
    }
  }
  return now;
}

/** Drops the question unanswered (the filters changed, or the operator said no). */
export function closeBulk() {
  pending = null;
  confirmBar.hidden = true;
}

export function initBulk() {
  buttons.forEach(function (button) {
    button.addEventListener('click', function () { askBulk(button.getAttribute('data-bulk')); });
  });
  yes.addEventListener('click', runBulk);
  no.addEventListener('click', closeBulk);
}
